-- One row per gemeente, wijk, year, signal type, signal kind and age group that a partner (or the
-- CBS) delivered: observed children per 100 children of the age group, beside the gemeente's rate.
-- Which of them adjust the estimate (the kinds chosen in the settings, and only where the pages
-- show the cell: signals_protection_by_wijk) is decided in the view signals_used_by_wijk; this
-- table reads no setting, so that a session's choice of kinds (transforms.model.evaluate) reads
-- it and the protection as stored.
-- A rate per 100 children divides by the population: where the pages hide the population cell
-- (population_protection_by_wijk: a small BRP count or its secondary suppression), count / rate
-- would give it back, so there the population, the rate and the ratio to the gemeente are NULL
-- (population_hidden); for 'alle' wherever any age group of the wijk, or its total, is hidden.
-- The gemeente rate likewise where the gemeente total of the age group is hidden
-- (gemeente_population_hidden). A wijk whose children CBS keeps secret
-- (population_unknown_by_wijk) keeps its rows and counts, in the gemeente totals too, with the
-- population and rate NULL (population_unknown): the pages say 'onbekend (CBS geheim)'. So
-- they do for the count of CBS jeugdzorg that CBS keeps secret in a wijk (count_unknown).
-- Every page, slide and export reads the rates from here.
-- Source: int_signals__partner_counts, population_by_wijk_age, population_unknown_by_wijk,
-- population_protection_by_wijk, published_signal_patterns,
-- stg_cbs__kerncijfers (CBS jeugdzorg: per 100 young people up to 23).
-- rebuild: per gemeente (every row from its own gemeente's rows: the sources read only the rebuilt
-- gemeente's, in_rebuilt_gemeente, where the filter on the result cannot reach them)
with counts as (
    select
        gemeente_code,
        wijk_code,
        year,
        signal_type,
        signal_kind,
        age_group,
        sum(children_count) as children_count,
        sum(waiting_weeks * children_count) filter (where waiting_weeks is not null)
            / nullif(sum(children_count) filter (where waiting_weeks is not null), 0)
            as waiting_weeks
    from int_signals__partner_counts
    where in_rebuilt_gemeente(gemeente_code)
    group by all
),

-- the kinds and age groups of a type's table as last published (published_signal_patterns,
-- the state of signals_protection_by_wijk, read here before that model writes this build's)
-- that hid a cell: a kind or age group no longer delivered keeps its place in the table, as a
-- line of 0s, so that its cells hidden before stay hidden (and nothing tells they are 0 now). Left
-- out, the new totals were protected without it, and the old total minus the new one gave its
-- hidden count back. Only while the type is delivered at all that gemeente and year (a type gone
-- as a whole leaves no line to subtract from). A pattern made with another smallest count (no
-- setting is read here: the protection reads this table) keeps its pairs once, as lines of 0s
-- that the protection, starting fresh, does not hide: the next build leaves them out.
published_cells as (
    -- the positions of the hidden cells only (most are shown)
    select
        gemeente_code,
        year,
        signal_type,
        kinds,
        ages,
        unnest(list_filter(range(len(hidden)), lambda position: hidden[position + 1])) as position
    from published_signal_patterns
),

kept as (
    -- the pattern is wijken+1 x kinds+1 x ages+1, flat and row-major: the kind and age of a cell
    select distinct
        gemeente_code,
        year,
        signal_type,
        kinds[(position // (len(ages) + 1)) % (len(kinds) + 1) + 1] as signal_kind,
        ages[position % (len(ages) + 1) + 1] as age_group
    from published_cells
    where position % (len(ages) + 1) < len(ages)
        and (position // (len(ages) + 1)) % (len(kinds) + 1) < len(kinds)
),

delivered as (
    select distinct gemeente_code, year, signal_type, signal_kind, age_group from counts
    union
    select k.gemeente_code, k.year, k.signal_type, k.signal_kind, k.age_group
    from kept as k
    semi join (select distinct gemeente_code, year, signal_type from counts) as t
        using (gemeente_code, year, signal_type)
),

population as (
    select gemeente_code, wijk_code, wijk_name, year, age_group, children, false as population_unknown
    from population_by_wijk_age
    where in_rebuilt_gemeente(gemeente_code)
    union all
    select gemeente_code, wijk_code, any_value(wijk_name), year, 'alle', sum(children), false
    from population_by_wijk_age
    where in_rebuilt_gemeente(gemeente_code)
    group by gemeente_code, wijk_code, year
    union all
    -- a wijk whose children CBS keeps secret keeps its delivered counts; only its rate is unknown
    select u.gemeente_code, u.wijk_code, u.wijk_name, u.year, a.age_group, null::double, true
    from population_unknown_by_wijk as u
    cross join (select unnest(['0-2', '2-4', '4-12', 'alle']) as age_group) as a
),

-- the population cells and totals the pages hide (only gemeenten and years with BRP figures)
population_hidden as (
    select gemeente_code, year, wijk_code, age_group, cell_hidden, gemeente_hidden
    from population_protection_by_wijk
    where in_rebuilt_gemeente(gemeente_code)
    union all
    select gemeente_code, year, wijk_code, 'alle',
        bool_or(cell_hidden) or bool_or(wijk_total_hidden),
        bool_or(gemeente_hidden) or bool_or(gemeente_total_hidden)
    from population_protection_by_wijk
    where in_rebuilt_gemeente(gemeente_code)
    group by gemeente_code, year, wijk_code
),

-- every wijk of a gemeente for each delivered type: a wijk without rows has 0 children
grid as (
    select
        d.gemeente_code,
        p.wijk_code,
        p.wijk_name,
        d.year,
        d.signal_type,
        d.signal_kind,
        d.age_group,
        p.children as population_children,
        p.population_unknown
    from delivered as d
    inner join population as p
        on p.gemeente_code = d.gemeente_code and p.year = d.year and p.age_group = d.age_group
),

wijk_rows as (
    select g.*, coalesce(c.children_count, 0) as children_count, c.waiting_weeks,
        -- a partner's wijk without rows has 0 children; CBS's jeugdzorg of a wijk without a
        -- value is secret ('.' in a_jz_tn): unknown, though it counts as 0 in the sums
        g.signal_type = 'cbs_jeugdzorg' and c.children_count is null as count_unknown
    from grid as g
    left join counts as c
        on c.gemeente_code = g.gemeente_code and c.wijk_code = g.wijk_code and c.year = g.year
        and c.signal_kind = g.signal_kind and c.age_group = g.age_group
),

-- the gemeente total includes rows a partner could not place in a wijk
gemeente_counts as (
    select gemeente_code, year, signal_kind, age_group, sum(children_count) as children_count
    from counts
    group by all
),

-- the gemeente rate's numerator: not the signals of a wijk whose children CBS keeps secret, which
-- are not in the children it divides by (they would raise the rate the model compares wijken
-- with; the pages show no gemeente rate there at all: ui.continuum.protected_signal)
gemeente_rate_counts as (
    select c.gemeente_code, c.year, c.signal_kind, c.age_group, sum(c.children_count) as children_count
    from counts as c
    anti join population_unknown_by_wijk as u
        on u.gemeente_code = c.gemeente_code and u.year = c.year and u.wijk_code = c.wijk_code
    group by all
),

gemeente_population as (
    select gemeente_code, year, age_group, sum(children) as children
    from population
    group by all
),

-- CBS jeugdzorg (a_jz_tn) counts young people up to 23 years, not children 0-12: its rate is
-- CBS's own percentage of them (p_jz_tn), and its population the young people that percentage
-- implies (count / percentage), so that wijk and gemeente compare like with like
cbs_young as (
    select w.gemeente_code, w.wijk_code, w.year,
        100 * w.children_count / nullif(k.value, 0) as young_people
    from wijk_rows as w
    inner join stg_cbs__kerncijfers as k
        on k.region_code = w.wijk_code and k.year = w.year
        and k.stem = 'PercentageJongerenMetJeugdzorg' and k.region_level = 'wijk'
    where w.signal_type = 'cbs_jeugdzorg'
),

cbs_young_gemeente as (
    select gemeente_code, year, sum(young_people) as young_people
    from cbs_young
    group by all
),

rates_unprotected as (
    select
        w.gemeente_code,
        w.wijk_code,
        w.wijk_name,
        w.year,
        w.signal_type,
        w.signal_kind,
        w.age_group,
        w.children_count,
        w.waiting_weeks,
        w.count_unknown,
        -- CBS jeugdzorg is over CBS's own young people, known where CBS gives its percentage
        w.population_unknown and w.signal_type <> 'cbs_jeugdzorg' as population_unknown,
        case when w.signal_type = 'cbs_jeugdzorg' then cy.young_people
            else w.population_children end as population_children,
        100 * w.children_count / nullif(case when w.signal_type = 'cbs_jeugdzorg'
            then cy.young_people else w.population_children end, 0) as rate_per_100,
        coalesce(gc.children_count, 0) as gemeente_children_count,
        case when w.signal_type = 'cbs_jeugdzorg' then cg.young_people
            else gp.children end as gemeente_population_children,
        100 * case when w.signal_type = 'cbs_jeugdzorg' then gc.children_count
            else coalesce(gr.children_count, 0) end
            / nullif(case when w.signal_type = 'cbs_jeugdzorg'
            then cg.young_people else gp.children end, 0) as gemeente_rate_per_100
    from wijk_rows as w
    -- a kept kind or age group (no longer delivered) has no gemeente count: 0
    left join gemeente_counts as gc using (gemeente_code, year, signal_kind, age_group)
    left join gemeente_rate_counts as gr using (gemeente_code, year, signal_kind, age_group)
    inner join gemeente_population as gp using (gemeente_code, year, age_group)
    left join cbs_young as cy using (gemeente_code, wijk_code, year)
    left join cbs_young_gemeente as cg using (gemeente_code, year)
),

rates as (
    select
        r.* exclude (population_children, rate_per_100, gemeente_population_children,
            gemeente_rate_per_100),
        case when population_hidden then null else r.population_children end as population_children,
        case when population_hidden then null else r.rate_per_100 end as rate_per_100,
        case when gemeente_population_hidden then null else r.gemeente_population_children end
            as gemeente_population_children,
        case when gemeente_population_hidden then null else r.gemeente_rate_per_100 end
            as gemeente_rate_per_100,
        population_hidden,
        gemeente_population_hidden
    from (
        select
            u.*,
            -- CBS jeugdzorg is per 100 young people (CBS's own figures), not over the population
            u.signal_type <> 'cbs_jeugdzorg' and coalesce(h.cell_hidden, false) as population_hidden,
            u.signal_type <> 'cbs_jeugdzorg' and coalesce(h.gemeente_hidden, false)
                as gemeente_population_hidden
        from rates_unprotected as u
        left join population_hidden as h using (gemeente_code, year, wijk_code, age_group)
    ) as r
),

final as (
    select
        r.*,
        r.rate_per_100 / nullif(r.gemeente_rate_per_100, 0) as ratio_to_gemeente,
        case
            when r.signal_type like 'wachtlijst%' then 'wachtlijst'
            else 'vraag'
        end as evidence_kind,
        'waargenomen' as figure_kind
    from rates as r
)

select * from final
