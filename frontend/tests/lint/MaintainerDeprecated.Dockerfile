FROM debian
MAINTAINER someone@example.com
