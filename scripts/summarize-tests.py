#!/usr/bin/env python3
"""Prints one line over every test project's TRX file: "N passed, M failed, K skipped".

The exit status is non-zero when a test failed, or when dotnet test failed without a TRX
saying why (a crashed test host), so that CI can never pass on a partial run.
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET

results_dir = sys.argv[1]
dotnet_status = int(sys.argv[2]) if len(sys.argv) > 2 else 0
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in sorted(glob.glob(os.path.join(results_dir, "**", "*.trx"), recursive=True)):
    root = ET.parse(path).getroot()
    for result in root.iterfind(".//t:Results/t:UnitTestResult", ns):
        outcome = result.get("outcome")
        if outcome == "Passed":
            passed += 1
        elif outcome == "NotExecuted":
            skipped += 1
        else:
            failed += 1
            # The message goes beside the name: CI keeps only the tail of the output, and a
            # failure that cannot be reproduced is fixed from this line or not at all.
            message = result.findtext("t:Output/t:ErrorInfo/t:Message", default="", namespaces=ns)
            message = " ".join(message.split())
            if len(message) > 600:
                message = message[:600] + "..."
            print(f"FAILED {result.get('testName')}: {message}" if message else f"FAILED {result.get('testName')}")

if dotnet_status != 0 and failed == 0:
    print(f"dotnet test exited with {dotnet_status} but no test failed: a test host crashed or a project did not run")
    failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
