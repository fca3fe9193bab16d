nav-map = Map
map-title = Map of reports
map-lead = Where people report violations and dangers: the number of reports per community and per square of the map in the chosen period. Select a community to see its published cases.
map-month-hint = A month, e.g. 2026-03
map-live-error = The interactive map could not be loaded. The map and the tables below show the same data.
map-live-label = Interactive map
map-total = Reports in all
map-privacy-note = Exact places are never published: reports are counted in squares of about {$km} km a side, and squares with fewer than {$n} reports are not shown (those reports count in their community only). Small community counts are shown as “<5”.
map-no-centres = The platform's communities have no coordinates yet, so no map is drawn. The tables below show the same data.
map-caption = Circles are a community's reports (the larger, the more); squares are places with many reports. A community's name leads to its published cases.
map-by-community = Reports by community
map-published-cases = Published cases
map-open-register = Open in the register
map-by-square = Squares with the most reports
map-no-squares = No square of the map has enough reports to be shown.
map-square = Square
map-squares-more = {$n} more {$n ->
    [one] square is
   *[other] squares are
} on the map and in the GeoJSON.
map-download-geojson = Download GeoJSON
map-reports = {$count} reports
map-square-near = Square near {$place}
map-svg-desc = Map of the region with circles for the communities by number of reports and squares where reports are most frequent. The same figures are in the tables below the map.
map-km = km
map-staff-title = Hot-spot map
map-staff-lead = Exact places of reports, hot spots (squares of about 0.5 km with the most reports) and the change against the previous period of the same length.
map-staff-svg-desc = Map of the region: hot-spot squares (the darker, the more reports), report points and groups of close points; numbers are the rows of the hot-spot table.
map-staff-caption = Squares are hot spots by density of reports; dots and numbers in circles are reports and groups of close reports; numbers are the rows of the table below.
map-change = Change
map-located = With a point on the map
map-points-shown = {$n} {$n ->
    [one] report point is
   *[other] report points are
} on the map.
map-points-newest = The newest are shown; narrow the filters to see the others.
map-points-hidden = Your role sees hot spots without the exact places of reports.
map-hot-spots = Hot spots
map-no-hot-spots = No report of this period has a point on the map.
map-centre = Centre of the square
map-download-csv = Download CSV
map-pick-hint = Tap the map to place the point, or type the coordinates.
map-pick-clear = Remove the point
error-location-outside-region = This point is outside the platform's region. Check the coordinates, or leave them empty and choose the community.
map-cluster-cases = {"{"}count{"}"} cases
map-cluster-reports = {"{"}count{"}"} reports
open-data-map = Map of reports (GeoJSON)
open-data-map-text = Reports of the chosen period (by default the last 12 months) as GeoJSON (RFC 7946): points at the communities' centres (layer = community; count is the number of reports, null when it is hidden as “<5” or “≥5”, shown is how it is published; url leads to the community's published cases) and squares of the map (layer = cell; the square's Polygon, cell_km a side, and count, the reports in it; squares with fewer than min_count reports are left out). The file holds no exact place of any report.
open-data-map-geojson = Map of reports, GeoJSON
map-count = Reports
