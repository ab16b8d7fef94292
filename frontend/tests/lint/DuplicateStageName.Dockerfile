FROM debian AS base
FROM debian AS base
