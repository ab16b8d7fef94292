# LABEL with quoted keys and values
FROM busybox
LABEL "com.example.vendor"="ACME Inc" description="multi word value"
LABEL single='it''s' escaped="a \"quoted\" word"
