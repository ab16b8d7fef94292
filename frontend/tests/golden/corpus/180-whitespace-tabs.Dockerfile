# tabs and extra spaces between keywords and arguments
FROM		alpine:3.20
RUN	  echo   spaced	 out
ENV	A=1	B=2
  COPY   a   /a
