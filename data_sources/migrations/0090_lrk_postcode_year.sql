-- The year of the postcode file that placed each LRK location in its buurt and wijk
-- (data_sources.lrk: the postcodes of the export's year or else the nearest loaded year), stored
-- with the location, so that a postcode year loaded later can place it again and the wijk profile
-- says which postcode years its places follow without working the rule out a second time.
-- Null where the location has no wijk, and where the year cannot be known.
alter table raw_lrk__locations add column postcode_year integer;
-- Rows stored before: the loader's rule over the postcodes loaded before the export (load ids grow
-- with every load), where that gives the stored gemeente, wijk and buurt. Unknown where a
-- postcode file loaded before the export, of a year the rule would have taken instead (nearer, or
-- as near and later), has lost its rows of the location's postcode since (that year was loaded
-- again for the gemeente): the location may have been placed by those rows.
update raw_lrk__locations as l
set postcode_year = placed.year
from (
    select l.load_id, l.row_number, p.year, p.gemeente_code, p.wijk_code, p.buurt_code,
           row_number() over (partition by l.load_id, l.row_number
                              order by abs(p.year - l.year), p.year desc) as pick
    from raw_lrk__locations as l
    inner join postcodes as p on p.pc6 = l.postcode and p.load_id < l.load_id
    where l.wijk_code is not null
) as placed
where placed.pick = 1 and placed.load_id = l.load_id and placed.row_number = l.row_number
    and placed.gemeente_code is not distinct from l.gemeente_code
    and placed.wijk_code = l.wijk_code
    and placed.buurt_code is not distinct from l.buurt_code
    and not exists (
        select 1 from loads as earlier
        where earlier.dataset = 'postcodes' and earlier.load_id < l.load_id
          and (earlier.gemeente_code is null or earlier.gemeente_code = l.gemeente_code)
          and (abs(earlier.year - l.year) < abs(placed.year - l.year)
               or abs(earlier.year - l.year) = abs(placed.year - l.year) and earlier.year > placed.year)
    );
