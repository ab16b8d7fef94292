FROM debian as build
FROM debian AS fine
