"""Write the importer fixtures in this folder (see README.md). All rows are synthetic.

Run: `.venv/bin/python tests/data/import/make_fixtures.py`. The files are committed; this
script documents exactly how each was made (byte encodings included) and rebuilds them.
The GeoPackage is not here: tests/test_importer.py writes it with geopandas.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Windows-1252 bytes: "Rzeszów" has ó = 0xF3, which is not valid UTF-8 on its own.
CP1252_CSV = (
    "date,latitude,longitude,type,country,place,description\r\n"
    "2025-09-10,50.0413,21.9990,airspace incursion,Poland,Rzeszów,Synthetic test: drone seen over Rzeszów\r\n"
    "2025-09-11,50.1100,22.0400,debris,Poland,Jasionka,Synthetic test: drone wreckage found near Jasionka\r\n"
)

# Mixed date formats in one column. 13/09/2025 shows the column is day/month, so 03/04/2025
# is read as 3 April; 2025-02-30 is impossible and "next week" is no date.
MIXED_DATES_CSV = """\
date,lat,lon,type,country,place,description
2025-09-10,51.5,23.1,incursion,PL,Wyryki,Synthetic test row one
15 September 2025,51.5,23.1,incursion,PL,Wyryki,Synthetic test row two
13/09/2025,51.5,23.1,incursion,PL,Wyryki,Synthetic test row three
03/04/2025,51.5,23.1,incursion,PL,Wyryki,Synthetic test row four
12.09.2025,51.5,23.1,incursion,PL,Wyryki,Synthetic test row five
2025-09-10T14:30:00Z,51.5,23.1,incursion,PL,Wyryki,Synthetic test row six
2025-02-30,51.5,23.1,incursion,PL,Wyryki,Synthetic test row seven
next week,51.5,23.1,incursion,PL,Wyryki,Synthetic test row eight
"""

# Rows 2 and 3 have lat/lon swapped (a point in Poland/Lithuania given as lat=lon): row 2
# says Poland, so the swap is evidenced and corrected; row 3 names no country, so it is
# rejected as outside the map's area rather than moved. Row 4 has latitude 95 and longitude
# 200 (out of range); row 5 a latitude that is not a number.
SWAPPED_CSV = """\
date,lat,lon,type,country,place,description
2025-09-10,51.5,23.1,strike,,Wyryki,Synthetic test: normal row
2025-09-10,23.1,51.5,strike,Poland,Wyryki,Synthetic test: swapped row
2025-09-10,25.28,54.69,strike,,Vilnius,Synthetic test: swapped row in Lithuania
2025-09-10,95,200,strike,,Nowhere,Synthetic test: out of range
2025-09-10,abc,23.1,strike,,Nowhere,Synthetic test: not a number
"""

# Semicolon-separated, coordinates as strings with decimal commas and hemisphere letters.
STRING_COORDS_CSV = """\
date;y;x;category;country;place;summary
2025-09-10;52,2297;21,0122;explosion;Polska;Warsaw;Synthetic test: decimal commas
2025-09-11;"50,0647";"19,9450";missile attack;PL;Kraków;Synthetic test: quoted decimal commas
2025-09-12;54.35°N;18.65°E;airport closed;POL;Gdańsk;Synthetic test: hemisphere letters
"""

# A description with a line break inside quotes; row 2 must still be row 2.
MULTILINE_CSV = """\
date,lat,lon,type,country,place,description
2025-09-10,51.5,23.1,incursion,PL,Wyryki,"Synthetic test: first line
second line of the same description"
2025-09-11,51.6,23.2,crash,PL,Wyryki,Synthetic test: the second data row
"""

ACLED_HEADER = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,"
                "sub_event_type,actor1,country,iso,admin1,admin2,location,latitude,longitude,"
                "geo_precision,source,notes,fatalities,timestamp")
# One row per mapped event type and several that are rejected. Synthetic: the ids start
# with 9, the notes say "Synthetic test".
ACLED_ROWS = [
    # strike / drone
    'UKR90001,15 September 2025,2025,1,Political violence,Explosions/Remote violence,'
    'Air/drone strike,Military Forces of Russia (2000-),Ukraine,804,Lviv,Lvivskyi,Lviv,49.8397,'
    '24.0297,1,Synthetic Source,"Synthetic test: a Shahed drone hit a warehouse in Lviv.",0,'
    '1758000000',
    # strike / artillery (notes mention shelling)
    'UKR90002,2025-09-16,2025,2,Political violence,Explosions/Remote violence,'
    'Shelling/artillery/missile attack,Military Forces of Russia (2000-),Ukraine,804,Kharkiv,'
    'Kharkivskyi,Kharkiv,49.9935,36.2304,2,,Synthetic test: forces shelled the outskirts.,2,'
    '1758000000',
    # interception / missile, country given as "Russian Federation"
    'RUS90003,17 September 2025,2025,1,Strategic developments,Strategic developments,'
    'Disrupted weapons use,Military Forces of Russia (2000-),Russian Federation,643,Belgorod,'
    'Belgorodskiy,Belgorod,50.5997,36.5983,3,Synthetic Agency,'
    'Synthetic test: air defence shot down a missile over the city.,0,1758000000',
    # Disrupted weapons use without an aerial platform: rejected
    'UKR90004,18 September 2025,2025,1,Strategic developments,Strategic developments,'
    'Disrupted weapons use,Police Forces of Ukraine (2019-),Ukraine,804,Kyiv,Kyivskyi,Kyiv,'
    '50.4501,30.5234,1,,Synthetic test: sappers defused an explosive device.,0,1758000000',
    # Battles: rejected
    'UKR90005,18 September 2025,2025,1,Political violence,Battles,Armed clash,'
    'Military Forces of Ukraine (2019-),Ukraine,804,Donetsk,Pokrovskyi,Pokrovsk,48.2826,37.1812,'
    '1,,Synthetic test: clashes.,3,1758000000',
    # Protests: rejected
    'POL90006,19 September 2025,2025,1,Demonstrations,Protests,Peaceful protest,Protesters (Poland),'
    'Poland,616,Mazowieckie,Warszawa,Warsaw,52.2297,21.0122,1,,Synthetic test: a march.,0,'
    '1758000000',
    # strike with empty notes: summary and quote built from the event fields
    'MDA90007,20 September 2025,2025,1,Political violence,Explosions/Remote violence,'
    'Air/drone strike,Unidentified Armed Group,Republic of Moldova,498,Ocnita,,Naslavcea,48.4667,'
    '27.5833,2,,,0,1758000000',
]
ACLED_CSV = ACLED_HEADER + "\n" + "\n".join(ACLED_ROWS) + "\n"


def _our_feature(fid: str, date: str, **extra: object) -> dict:
    props = {
        "id": fid, "type": "airspace_incursion", "date": date, "end_date": None,
        "date_precision": "day", "country": "PL", "region": "Lublin", "place": "Wyryki",
        "location_precision": "city", "platform": "drone", "icao": None, "drones": 1,
        "aircraft": None, "missiles": None, "killed": None, "injured": None,
        "summary": "Synthetic test incident.",
        "sources": [{"document": "synthetic.txt", "quote": "synthetic test"}],
        "confidence": "low", "related_ids": [], "notes": None,
    }
    props.update(extra)
    return {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [23.1, 51.5]},
            "properties": props}


# Feature 2 is invalid twice over (month 13, an unknown type).
OURS = {"type": "FeatureCollection", "features": [
    _our_feature("pl-test-a", "2025-09-10"),
    _our_feature("pl-test-b", "2025-13-01", type="flyover"),
    _our_feature("pl-test-c", "2025-09-12"),
]}

# Properties with other names; feature 1 is 3-D, 2 has string coordinates, 3 is a one-part
# MultiPoint, 4 has no geometry, 5 an unknown category.
FOREIGN = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [23.1, 51.5, 120.0]},
     "properties": {"event_date": "2025-09-10", "category": "drone crash", "nation": "Poland",
                    "name": "Wyryki", "details": "Synthetic test: drone wreckage found in a field."}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": ["24,10", "56,95"]},
     "properties": {"event_date": "2025-09-11", "category": "Airspace violation",
                    "nation": "Latvia", "name": "Riga",
                    "details": "Synthetic test: aircraft violated airspace."}},
    {"type": "Feature", "geometry": {"type": "MultiPoint", "coordinates": [[26.10, 44.43]]},
     "properties": {"event_date": "2025-09-12", "category": "intercepted", "nation": "Romania",
                    "name": "Bucharest", "details": "Synthetic test: a balloon was intercepted."}},
    {"type": "Feature", "geometry": None,
     "properties": {"event_date": "2025-09-13", "category": "strike", "nation": "Poland",
                    "name": "Nowhere", "details": "Synthetic test: no geometry."}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [21.0, 52.2]},
     "properties": {"event_date": "2025-09-14", "category": "parade", "nation": "Poland",
                    "name": "Warsaw", "details": "Synthetic test: not an incident."}},
]}

KML = """\
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document><name>Synthetic test placemarks</name>
<Placemark>
  <name>Przewodów</name>
  <description><![CDATA[<p>Synthetic test: missile <b>explosion</b> at a farm.</p>]]></description>
  <ExtendedData><Data name="type"><value>explosion</value></Data></ExtendedData>
  <TimeStamp><when>2025-09-10</when></TimeStamp>
  <Point><coordinates>23.9350,50.4740,0</coordinates></Point>
</Placemark>
<Placemark>
  <name>Drone track</name>
  <description>Synthetic test: a drone crossed the border.</description>
  <ExtendedData><Data name="type"><value>airspace incursion</value></Data></ExtendedData>
  <TimeSpan><begin>2025-09-11</begin><end>2025-09-12</end></TimeSpan>
  <LineString><coordinates>23.60,52.10 23.30,51.90</coordinates></LineString>
</Placemark>
</Document>
</kml>
"""

# UCDP GED's shape (a subset of its columns, in its order): latitude/longitude and the same
# point as geom_wkt. Row 2's WKT is 0.05° east of its columns (a warning; the columns win);
# row 3's WKT is cut off and row 4's is POINT EMPTY: harmless beside the columns, rejected
# when the WKT is the only geometry. Ids start with 9; headlines say "Synthetic test".
UCDP_WKT_CSV = """\
id,relid,year,type_of_violence,conflict_name,side_a,side_b,source_article,source_headline,\
where_prec,where_coordinates,where_description,adm_1,latitude,longitude,geom_wkt,country,\
date_prec,date_start,date_end,best
900001,UKR-2025-1-900-1,2025,1,Russia - Ukraine,Government of Russia (Soviet Union),\
Government of Ukraine,"Synthetic Agency,2025-09-11",Synthetic test: drone strike on Kyiv,1,\
Kyiv city,Kyiv,Kyiv city,50.4501,30.5234,POINT (30.5234 50.4501),Ukraine,1,\
2025-09-10 00:00:00.000,2025-09-10 00:00:00.000,2
900002,UKR-2025-1-900-2,2025,1,Russia - Ukraine,Government of Russia (Soviet Union),\
Government of Ukraine,"Synthetic Agency,2025-09-12",Synthetic test: missile strike on Lviv,1,\
Lviv city,Lviv,Lviv oblast,49.8397,24.0297,POINT (24.0797 49.8397),Ukraine,1,\
2025-09-11 00:00:00.000,2025-09-11 00:00:00.000,0
900003,UKR-2025-1-900-3,2025,1,Russia - Ukraine,Government of Russia (Soviet Union),\
Government of Ukraine,"Synthetic Agency,2025-09-13",Synthetic test: shelling of Kharkiv,1,\
Kharkiv city,Kharkiv,Kharkiv oblast,49.9935,36.2304,POINT (36.2304,Ukraine,1,\
2025-09-12 00:00:00.000,2025-09-12 00:00:00.000,1
900004,UKR-2025-1-900-4,2025,1,Russia - Ukraine,Government of Russia (Soviet Union),\
Government of Ukraine,"Synthetic Agency,2025-09-14",Synthetic test: drone attack on Odesa,1,\
Odesa city,Odesa,Odesa oblast,46.4825,30.7233,POINT EMPTY,Ukraine,1,\
2025-09-13 00:00:00.000,2025-09-13 00:00:00.000,0
"""

# Degrees-minutes-seconds as people type them: ASCII marks, Unicode primes with spaces,
# spaces only, the hemisphere first with decimal minutes, d/m/s letters; row 7 has 75
# minutes and row 8 61 seconds (both rejected with the reason). Rows 1-5 are all Kyiv.
DMS_CSV = """\
date,lat,lon,type,country,place,description
2025-09-10,50°27'00"N,30°31'24"E,strike,UA,Kyiv,Synthetic test: ASCII marks
2025-09-10,50° 27′ 0″ N,30° 31′ 24″ E,strike,UA,Kyiv,Synthetic test: Unicode primes
2025-09-10,50 27 00 N,30 31 24 E,strike,UA,Kyiv,Synthetic test: spaces only
2025-09-10,N50°27.0',E30°31.4',strike,UA,Kyiv,Synthetic test: hemisphere first
2025-09-10,50d27m00s,30d31m24s,strike,UA,Kyiv,Synthetic test: d m s letters
2025-09-11,52°13'47"N,21°00'44"E,strike,PL,Warsaw,Synthetic test: Warsaw
2025-09-12,50°75'00"N,30°31'24"E,strike,UA,Kyiv,Synthetic test: 75 minutes
2025-09-12,50°27'61"N,30°31'24"E,strike,UA,Kyiv,Synthetic test: 61 seconds
"""


def _multi_feature(fid: str, category: str, geometry: dict) -> dict:
    return {"type": "Feature", "geometry": geometry,
            "properties": {"id": fid, "event_date": "2025-09-15", "category": category,
                           "nation": "Poland", "name": "Wyryki",
                           "details": f"Synthetic test: one incident given as a {geometry['type']}."}}


def _square(x: float, y: float) -> list[list[list[float]]]:
    return [[[x, y], [x + 0.2, y], [x + 0.2, y + 0.2], [x, y + 0.2], [x, y]]]


# One incident per feature, each a multi-part geometry: 3 debris points, 2 drone tracks,
# 2 closed areas (each split into one record per part), a GeometryCollection and an empty
# MultiPoint (both rejected).
MULTI = {"type": "FeatureCollection", "features": [
    _multi_feature("debris", "crash", {"type": "MultiPoint", "coordinates": [
        [23.10, 51.50], [23.12, 51.52], [23.15, 51.48]]}),
    _multi_feature("tracks", "airspace incursion", {"type": "MultiLineString", "coordinates": [
        [[23.60, 52.10], [23.30, 51.90]], [[23.70, 52.30], [23.40, 52.20]]]}),
    _multi_feature("areas", "airspace incursion", {"type": "MultiPolygon", "coordinates": [
        _square(21.9, 50.0), _square(22.3, 50.0)]}),
    _multi_feature("mixed", "crash", {"type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [23.1, 51.5]},
        {"type": "LineString", "coordinates": [[23.6, 52.1], [23.3, 51.9]]}]}),
    _multi_feature("nothing", "crash", {"type": "MultiPoint", "coordinates": []}),
]}


def kmz(kml: bytes) -> bytes:
    """``kml`` zipped as a KMZ's ``doc.kml``, with a fixed timestamp so the bytes repeat."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        info = zipfile.ZipInfo("doc.kml", date_time=(2025, 9, 10, 0, 0, 0))
        info.compress_type, info.create_system, info.external_attr = zipfile.ZIP_DEFLATED, 3, 0o644 << 16
        archive.writestr(info, kml)
    return out.getvalue()


UCDP_COLUMNS = (  # noqa: SIM905 - GED's header, one line as GED writes it
    "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,"
    "conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,"
    "side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,"
    "source_date,source_headline,source_original,where_prec,where_coordinates,"
    "where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,"
    "country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,"
    "deaths_civilians,deaths_unknown,best,high,low,gwnoa,gwnob").split(",")
# (place, adm_1, lat, lon) — real cities, synthetic events.
UCDP_PLACES = [("Kharkiv city", "Kharkiv oblast", 49.9935, 36.2304),
               ("Odesa city", "Odesa oblast", 46.4825, 30.7233),
               ("Mykolaiv city", "Mykolaiv oblast", 46.9750, 31.9946),
               ("Zaporizhzhia city", "Zaporizhzhia oblast", 47.8388, 35.1396),
               ("Dnipro city", "Dnipropetrovsk oblast", 48.4647, 35.0462)]
UCDP_STRIKES = ["Russian missile strike on {p}", "Drone attack hits {p} – power out",
                "Shelling of {p}’s outskirts", "Airstrike on {p} depot", "Rocket attack on {p}",
                "Kamikaze drones hit {p}"]
UCDP_OTHER = ["Ground clashes near {p}", "Soldiers killed in fighting east of {p}"]


def ucdp_ged(n: int = 60) -> tuple[bytes, list[dict]]:
    """A UCDP GED export's shape: Windows-1252 text (en dash, curly apostrophe), a line break
    inside a quoted field, the two date shapes GED files carry in one column (``1/22/2025
    12:00:00 AM`` and ``01/23/2025 00:00``), ranges with date_prec 2, WKT points. 60 rows: 48
    strikes named by their headline, 12 ground fighting (not incidents of this map); ``n``
    rows for the benchmark. Returns the bytes and, per row, what a correct import gives
    (type None: to be rejected)."""
    import csv as csvmod
    out = io.StringIO()
    writer = csvmod.writer(out, lineterminator="\r\n")
    writer.writerow(UCDP_COLUMNS)
    truth = []
    for i in range(n):
        place, adm1, lat, lon = UCDP_PLACES[i % len(UCDP_PLACES)]
        strike = i % 5 != 4
        headline = (UCDP_STRIKES[i % len(UCDP_STRIKES)] if strike
                    else UCDP_OTHER[i % len(UCDP_OTHER)]).format(p=place.split()[0])
        day = 1 + i % 27
        ranged = i % 6 == 0
        start = (f"1/{day}/2025 12:00:00 AM" if i % 2 else f"01/{day:02d}/2025 00:00")
        end = (f"1/{day + 1}/2025 12:00:00 AM" if i % 2 else f"01/{day + 1:02d}/2025 00:00"
               ) if ranged else start
        row = dict.fromkeys(UCDP_COLUMNS, "")
        row.update({
            "id": str(500000 + i), "relid": f"UKR-2025-1-{i}", "year": "2025",
            "active_year": "1", "code_status": "Clear", "type_of_violence": "1",
            "conflict_name": "Russia - Ukraine", "side_a": "Government of Russia (Soviet Union)",
            "side_b": "Government of Ukraine", "number_of_sources": "2",
            "source_article": f"Synthetic Agency,2025-01-{day:02d};Synthetic Daily",
            "source_headline": f"Synthetic test: {headline}",
            "source_original": "Synthetic source\nsecond line of the source note",
            "where_prec": str(1 + i % 3), "where_coordinates": place,
            "where_description": f"{place}, {adm1}", "adm_1": adm1,
            "latitude": f"{lat:.4f}", "longitude": f"{lon:.4f}",
            "geom_wkt": f"POINT ({lon:.4f} {lat:.4f})", "country": "Ukraine",
            "country_id": "369", "region": "Europe", "event_clarity": "1",
            "date_prec": "2" if ranged else "1", "date_start": start, "date_end": end,
            "best": str(i % 4), "high": str(i % 4 + 1), "low": str(max(0, i % 4 - 1)),
        })
        writer.writerow([row[c] for c in UCDP_COLUMNS])
        truth.append({"id": row["id"], "type": "strike" if strike else None,
                      "date": f"2025-01-{day:02d}", "end_date": f"2025-01-{day + 1:02d}"
                      if ranged else None, "country": "UA", "point": [round(lon, 4), round(lat, 4)]})
    return out.getvalue().encode("cp1252"), truth


def main() -> None:
    (HERE / "cp1252.csv").write_bytes(CP1252_CSV.encode("cp1252"))
    for name, text in (("mixed_dates.csv", MIXED_DATES_CSV), ("swapped.csv", SWAPPED_CSV),
                       ("string_coords.csv", STRING_COORDS_CSV), ("multiline.csv", MULTILINE_CSV),
                       ("acled.csv", ACLED_CSV), ("placemarks.kml", KML),
                       ("ucdp_wkt.csv", UCDP_WKT_CSV), ("dms.csv", DMS_CSV)):
        (HERE / name).write_bytes(text.encode("utf-8"))
    (HERE / "placemarks.kmz").write_bytes(kmz(KML.encode("utf-8")))
    raw, truth = ucdp_ged()
    (HERE / "ucdp_ged.csv").write_bytes(raw)
    (HERE / "ucdp_ged.truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    for name, data in (("ours.geojson", OURS), ("foreign.geojson", FOREIGN),
                       ("multi.geojson", MULTI)):
        (HERE / name).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n",
                                 encoding="utf-8")


if __name__ == "__main__":
    main()
