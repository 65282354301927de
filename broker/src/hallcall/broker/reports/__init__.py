"""Reports for hall managers: volumes, waiting and service times, ratings, assessment, attendance.

`records` reads one flat record per ticket from the database; `figures` and `assessment` are
plain computations on those records (no I/O), so they are tested against figures computed
independently; `export` writes CSV, XLSX and HTML.
"""
