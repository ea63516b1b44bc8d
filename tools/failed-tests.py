#!/usr/bin/env python3
"""Prints each failed test of the given .trx files with the first lines of its message, one block per test.

tools/test.sh calls it just above its summary line, so a CI log cut to its tail still names what failed.
"""
import sys
import xml.etree.ElementTree as ElementTree

TRX = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
MESSAGE_LINES = 6

for path in sys.argv[1:]:
    run = " (PostgreSQL run)" if "/postgres/" in path else ""
    for result in ElementTree.parse(path).getroot().iter(f"{TRX}UnitTestResult"):
        if result.get("outcome") != "Failed":
            continue
        print(f"FAILED{run}: {result.get('testName')}")
        message = result.findtext(f"{TRX}Output/{TRX}ErrorInfo/{TRX}Message") or ""
        for line in message.strip().splitlines()[:MESSAGE_LINES]:
            print(f"    {line}")
