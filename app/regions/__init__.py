"""Administrative regions (行政区划): a province, its cities and their counties and districts.

Organisations belong to a region (``Organisation.region_id``); bureau users (经信部门) see the
cases of their region and of the regions under it. Codes are the national administrative
division codes (GB/T 2260). No domain imports."""
