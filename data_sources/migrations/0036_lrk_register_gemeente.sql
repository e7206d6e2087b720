-- An LRK export replaces an earlier one only for the gemeenten it covers, not for every gemeente
-- in which it happens to have a location (one location across the border hid a neighbour's whole
-- register). register_gemeente_code is the gemeente whose part of the register a row is: its
-- verantwoordelijke_gemeente, or without that column the gemeente of its postcode. covers_register
-- is false where the export holds too few of that gemeente's locations to replace its earlier
-- export there (data_sources.lrk._coverage): the row is kept, never counted.
-- Rows stored before were counted per gemeente of their postcode: that is their register gemeente.
alter table raw_lrk__locations add column register_gemeente_code varchar;
alter table raw_lrk__locations add column covers_register boolean default true;
update raw_lrk__locations set register_gemeente_code = gemeente_code, covers_register = true;
