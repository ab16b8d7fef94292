#!/bin/sh
echo run me
