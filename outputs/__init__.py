"""Outputs: exported workbooks and CSV, the HTML report and wijk factsheet, and their HTML/SVG helpers."""
