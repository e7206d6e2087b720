-- One row per gemeente, year and CBS count measure (kerncijfers wijken en buurten): the
-- gemeente's own figure against the sum of its wijken. CBS rounds wijk counts to fives and keeps
-- small ones secret, so a difference up to 5 per wijk is rounding, and a secret wijk is missing
-- from the sum. Source: stg_cbs__kerncijfers, stg_regions.
-- rebuild: per gemeente
with measures (stem, kwb_column, measure_label) as (
    values
        ('AantalInwoners', 'a_inw', 'Aantal inwoners'),
        ('Mannen', 'a_man', 'Mannen'),
        ('Vrouwen', 'a_vrouw', 'Vrouwen'),
        ('k_0Tot15Jaar', 'a_00_14', '0 tot 15 jaar'),
        ('k_15Tot25Jaar', 'a_15_24', '15 tot 25 jaar'),
        ('k_25Tot45Jaar', 'a_25_44', '25 tot 45 jaar'),
        ('k_45Tot65Jaar', 'a_45_64', '45 tot 65 jaar'),
        ('k_65JaarOfOuder', 'a_65_oo', '65 jaar of ouder'),
        ('HuishoudensTotaal', 'a_hh', 'Huishoudens totaal'),
        ('HuishoudensMetKinderen', 'a_hh_m_k', 'Huishoudens met kinderen'),
        ('Woningvoorraad', 'a_woning', 'Woningvoorraad'),
        ('GeboorteTotaal', 'a_geb', 'Geboorte totaal'),
        ('JongerenMetJeugdzorgInNatura', 'a_jz_tn', 'Jongeren met jeugdzorg in natura'),
        ('WmoClienten', 'a_wmo_t', 'Wmo-cliënten')
),

wijk_values as (
    select k.year, r.gemeente_code, k.stem, k.value
    from stg_cbs__kerncijfers as k
    inner join stg_regions as r on r.year = k.year and r.region_code = k.region_code
    where k.region_level = 'wijk'
),

wijk_sums as (
    select
        year,
        gemeente_code,
        stem,
        sum(value) as wijken_sum,
        count(*) as wijken_count,
        count(*) filter (where value is null) as wijken_unknown_count
    from wijk_values
    group by all
),

gemeente_values as (
    select year, region_code as gemeente_code, stem, value as gemeente_value
    from stg_cbs__kerncijfers
    where region_level = 'gemeente'
),

final as (
    select
        w.gemeente_code,
        w.year,
        m.stem,
        m.kwb_column,
        m.measure_label,
        g.gemeente_value,
        w.wijken_sum,
        w.wijken_count,
        w.wijken_unknown_count,
        g.gemeente_value - w.wijken_sum as difference,
        abs(g.gemeente_value - w.wijken_sum) <= 5 * w.wijken_count as within_rounding
    from wijk_sums as w
    inner join measures as m using (stem)
    left join gemeente_values as g using (year, gemeente_code, stem)
)

select * from final
