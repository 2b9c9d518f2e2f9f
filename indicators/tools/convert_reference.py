#!/usr/bin/env python3
"""Convert the candidate framework CSVs in ../frameworks/source/ into zhili framework TOML.

Run from the repository root:

    python3 indicators/tools/convert_reference.py

Writes indicators/frameworks/kunming-municipal.toml and kunming-county.toml. The CSV codes
(M01..M46, C01..C21, D1..D7, K1..K5) are replaced by descriptive ids; an indicator that is
the same in both frameworks gets the same id, so one data set can serve both. Goalposts are
the candidate framework's plausible [min, max] range. Weights are left at the default 1
(equal within the parent), as in the source (placeholders).

MODELLED on public descriptions, NOT the official Kunming/Xinhua list.
"""

import csv
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
SRC = ROOT / "frameworks" / "source"

IDS = {
    # municipal
    "SGMI": "index",
    "D1": "political_leadership", "D2": "rule_of_law", "D3": "moral_education", "D4": "self_governance",
    "D5": "smart_governance", "D6": "public_safety", "D7": "disputes_and_services",
    "M01": "party_org_coverage_pct", "M02": "secretary_chair_pct", "M03": "governance_appraisal_weight_pct",
    "M04": "party_members_grid_service_pct", "M05": "pilot_standards_met_pct",
    "M06": "lawyers_per_10k", "M07": "legal_service_platform_pct", "M08": "legal_adviser_coverage_pct",
    "M09": "admin_litigation_loss_pct", "M10": "first_instance_accepted_pct", "M11": "rule_of_law_villages_pct",
    "M12": "law_enforcement_satisfaction_pct",
    "M13": "civilisation_stations_pct", "M14": "volunteers_pct", "M15": "village_covenants_pct",
    "M16": "moral_models_per_100k", "M17": "dishonest_debtors_per_10k",
    "M18": "election_turnout_pct", "M19": "deliberation_councils_pct", "M20": "social_orgs_per_10k",
    "M21": "social_workers_per_10k", "M22": "property_management_pct", "M23": "safety_patrollers_per_10k",
    "M24": "grid_coverage_pct", "M25": "fulltime_grid_workers_pct", "M26": "grid_event_ontime_pct",
    "M27": "grid_event_mean_hours", "M28": "video_coverage_pct", "M29": "platform_data_access_pct",
    "M30": "online_services_pct",
    "M31": "criminal_cases_per_10k", "M32": "criminal_cases_yoy_pct", "M33": "homicides_per_100k",
    "M34": "zero_robbery_days", "M35": "telecom_fraud_per_10k", "M36": "road_deaths_per_10k_vehicles",
    "M37": "work_safety_deaths_per_1e8_gdp", "M38": "police_arrival_min", "M39": "sense_of_security_pct",
    "M40": "mediation_success_pct", "M41": "governance_centres_staffed_pct", "M42": "petition_ontime_pct",
    "M43": "petitions_per_10k", "M44": "mass_incidents_yoy_pct", "M45": "hotline_resolution_pct",
    "M46": "safety_satisfaction_pct",
    # county
    "SGCI": "index",
    "K1": "grassroots_base", "K2": "public_order", "K3": "public_safety", "K4": "dispute_resolution",
    "K5": "rule_of_law_and_perception",
    "C01": "grid_coverage_pct", "C02": "grid_event_ontime_pct", "C03": "red_households_pct",
    "C04": "village_centres_standard_pct",
    "C05": "criminal_cases_per_10k", "C06": "criminal_cases_yoy_pct", "C07": "zero_robbery_days",
    "C08": "telecom_fraud_per_10k", "C09": "fraud_losses_per_10k",
    "C10": "road_deaths_per_100k", "C11": "fires_per_10k", "C12": "police_arrival_min",
    "C13": "mediation_success_pct", "C14": "petition_ontime_pct", "C15": "petitions_per_10k",
    "C16": "mass_incidents", "C17": "civil_to_criminal_cases",
    "C18": "legal_adviser_coverage_pct", "C19": "rule_of_law_villages_pct", "C20": "sense_of_security_pct",
    "C21": "safety_satisfaction_pct",
}

HEADER = """\
# {title}
#
# MODELLED ON PUBLIC DESCRIPTIONS, NOT THE OFFICIAL KUNMING/XINHUA LIST.
# The official list of {n} indicators was never published in full. This candidate tree was
# converted by indicators/tools/convert_reference.py from frameworks/source/{csv}
# (see frameworks/source/README.md for its provenance and the meaning of the source keys).
# Weights are equal within each parent (placeholders, not official weights); goalposts are
# plausible ranges, not official standards. Candidate codes ({codes}) are kept in `note`.
"""


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def num(s):
    x = float(s)
    return repr(x)


def convert(csv_name, out_name, fw_id, title, description, codes):
    rows = list(csv.DictReader(open(SRC / csv_name, encoding="utf-8")))
    n = sum(1 for r in rows if r["level"] == "2")
    out = [HEADER.format(title=title, n=n, csv=csv_name, codes=codes)]
    out.append("version = 1")
    out.append(f"id = {q(fw_id)}")
    root = rows[0]
    out.append(f"name = {{ zh = {q(root['name_zh'].replace('(候选框架)', ''))}, en = {q(re.sub(r' [(]candidate framework[)]', '', root['name_en']))} }}")
    out.append(f"description = {q(description)}")
    for r in rows:
        out.append("")
        out.append("[[nodes]]")
        out.append(f"id = {q(IDS[r['id']])}")
        if r["parent"]:
            out.append(f"parent = {q(IDS[r['parent']])}")
        out.append(f"name = {{ zh = {q(r['name_zh'])}, en = {q(r['name_en'])} }}")
        code = r["id"]
        keys = "".join(re.findall(r"\[[A-Z0-9-]+\]", r["note"]))
        if r["level"] == "2":
            out.append('kind = "indicator"')
            out.append(f"direction = {q(r['direction'])}")
            out.append(f"unit = {q(r['unit'])}")
            out.append(f"goalposts = [{num(r['min'])}, {num(r['max'])}]")
            out.append(
                f"source = {q(f'Candidate framework {csv_name} ({code}), source keys {keys}; modelled on public descriptions, not an official list')}"
            )
            out.append(f"note = {q(f'candidate code {code}; goalposts = plausible range of the candidate framework, not an official standard')}")
        elif r["level"] == "1":
            out.append(f"note = {q(f'candidate code {code}; dimension, source keys {keys}')}")
        else:
            out.append(f"note = {q('modelled on public descriptions, NOT the official Kunming/Xinhua list')}")
    (ROOT / "frameworks" / out_name).write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote frameworks/{out_name}: {n} indicators")


convert(
    "framework_municipal_46.csv",
    "kunming-municipal.toml",
    "kunming-municipal",
    "kunming-municipal: municipal social-governance index, 7 dimensions, 46 indicators",
    "Municipal social-governance modernisation index (7 dimensions: the five governances plus public "
    "safety and dispute resolution / services; 46 indicators). Modelled on public descriptions, NOT the "
    "official Kunming/Xinhua list.",
    "D1-D7, M01-M46",
)
convert(
    "framework_county_21.csv",
    "kunming-county.toml",
    "kunming-county",
    "kunming-county: county-level social-governance index, 5 dimensions, 21 indicators",
    "County-level social-governance index (5 dimensions, 21 indicators), the companion of "
    "kunming-municipal with the same ids for shared indicators. Modelled on public descriptions "
    "(cf. Xundian's public-safety index), NOT the official Kunming/Xinhua list.",
    "K1-K5, C01-C21",
)

# five-governances: a compact generic framework, 5 dimensions x 3 indicators, reusing the
# municipal rows (same ids, names, units, goalposts) so that the Kunming sample data serves it.
FIVE = [
    ("D1", ["M01", "M04", "M03"]),
    ("D2", ["M06", "M08", "M11"]),
    ("D3", ["M13", "M14", "M17"]),
    ("D4", ["M19", "M20", "M18"]),
    ("D5", ["M24", "M26", "M28"]),
]


def five_governances():
    rows = {r["id"]: r for r in csv.DictReader(open(SRC / "framework_municipal_46.csv", encoding="utf-8"))}
    out = [
        "# five-governances: a compact generic framework on the \"five governances\"",
        "# (政治引领、法治保障、德治教化、自治强基、智治支撑), 5 dimensions x 3 indicators, for any city.",
        "#",
        "# MODELLED ON PUBLIC DESCRIPTIONS, NOT AN OFFICIAL LIST. Generated by",
        "# indicators/tools/convert_reference.py from a subset of frameworks/source/framework_municipal_46.csv;",
        "# ids, names, units and goalposts are those of kunming-municipal, so the same data serves both.",
        "",
        "version = 1",
        'id = "five-governances"',
        'name = { zh = "“五治”社会治理指数", en = "Five-governances social-governance index" }',
        'description = "Compact generic framework on the five governances (political leadership, rule of law, '
        'civic virtue, self-governance, smart governance), 3 indicators each. Modelled on public descriptions, '
        'not an official list."',
        "",
        "[[nodes]]",
        'id = "index"',
        'name = { zh = "“五治”社会治理指数", en = "Five-governances index" }',
        'note = "modelled on public descriptions, NOT an official list"',
    ]
    for dim, inds in FIVE:
        d = rows[dim]
        out += ["", "[[nodes]]", f"id = {q(IDS[dim])}", 'parent = "index"',
                f"name = {{ zh = {q(d['name_zh'])}, en = {q(d['name_en'])} }}"]
        for c in inds:
            r = rows[c]
            keys = "".join(re.findall(r"\[[A-Z0-9-]+\]", r["note"]))
            out += [
                "", "[[nodes]]", f"id = {q(IDS[c])}", f"parent = {q(IDS[dim])}",
                f"name = {{ zh = {q(r['name_zh'])}, en = {q(r['name_en'])} }}",
                'kind = "indicator"', f"direction = {q(r['direction'])}", f"unit = {q(r['unit'])}",
                f"goalposts = [{num(r['min'])}, {num(r['max'])}]",
                f"source = {q(f'Candidate framework framework_municipal_46.csv ({c}), source keys {keys}; modelled on public descriptions, not an official list')}",
            ]
    (ROOT / "frameworks" / "five-governances.toml").write_text("\n".join(out) + "\n", encoding="utf-8")
    print("wrote frameworks/five-governances.toml: 15 indicators")


five_governances()
