#!/bin/sh
# Run through #!: the kernel starts /bin/sh with this file's path.
echo "script $0 args $# first $1"
for w in one two three; do printf '%s ' "$w"; done | tr a-z A-Z
echo
