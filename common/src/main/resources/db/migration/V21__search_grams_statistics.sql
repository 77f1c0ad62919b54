-- A short needle (one or two characters) is answered from search_grams (V19), and the planner chooses
-- between that index and the walk of catalog_rows_by_name from the gram's frequency in the column's
-- statistics. With the default statistics target the most common elements list ends at grams held by
-- about 1 % of the rows, and every rarer gram is estimated at half that: at 5M agents q=qj (5,968
-- matches, 0.12 %) was estimated at 22,425, so the planner walked the name order expecting a page
-- early and read 42,000 rows (690 ms) instead of the gram index's 6,000 (45 ms). A target of 1000
-- keeps about 1,800 grams, down to 0.09 % of the rows. ANALYZE of the column: 11 s at 5M agents.
ALTER TABLE marketplace_catalog_rows ALTER COLUMN search_grams SET STATISTICS 1000;
ANALYZE marketplace_catalog_rows (search_grams);
