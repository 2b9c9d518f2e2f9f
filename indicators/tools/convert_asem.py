#!/usr/bin/env python3
"""Convert COINr's ASEM example (iMeta + iData) into the bundled `asem-coinr` framework and data.

Run from the repository root:

    python3 indicators/tools/convert_asem.py

Inputs: tests/fixtures/coinr-asem/input_ASEM_iMeta.csv and input_ASEM_iData.csv (copied from
the R package COINr 1.1.14, MIT, EU Joint Research Centre; see tests/fixtures/README.md).
Outputs: indicators/frameworks/asem-coinr.toml (ids = COINr iCodes, node order = iMeta order,
so indicator order matches COINr) and indicators/data/asem-coinr.csv (iData unchanged).
Chinese names are our translations; English names, units, directions, weights, targets and
denominators are COINr's.
"""

import csv
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "coinr-asem"

ZH = {
    "LPI": "物流绩效指数", "Flights": "国际航班客运能力", "Ship": "班轮运输连通性指数", "Bord": "边境口岸通行量",
    "Elec": "电力贸易", "Gas": "天然气贸易", "ConSpeed": "平均网络连接速度", "Cov4G": "4G网络人口覆盖率",
    "Goods": "货物贸易", "Services": "服务贸易", "FDI": "外商直接投资", "PRemit": "个人汇款(收付)",
    "ForPort": "外国证券投资负债与资产", "Embs": "使馆网络", "IGOs": "参与国际政府间组织",
    "UNVote": "联合国投票一致性", "CostImpEx": "进出口成本", "Tariff": "平均关税税率", "TBTs": "技术性贸易壁垒",
    "TIRcon": "加入《国际公路运输公约》", "RTAs": "区域贸易协定", "Visa": "免签或落地签国家数",
    "StMob": "高等教育国际学生流动", "Research": "国际合作科研成果", "Pat": "含外国共同发明人的专利",
    "CultServ": "文化服务贸易", "CultGood": "文化产品贸易", "Tourist": "入境游客人数", "MigStock": "移民存量",
    "Lang": "共同语言使用者", "Renew": "可再生能源占终端能源消费比重", "PrimEner": "单位GDP一次能源消耗",
    "CO2": "人均二氧化碳排放", "MatCon": "人均国内物质消耗", "Forest": "森林净损失",
    "Poverty": "国际贫困线以下人口比例", "Palma": "帕尔马比率", "TertGrad": "高等教育毕业生比例",
    "FreePress": "新闻自由", "TolMin": "对少数群体的包容", "NGOs": "国际非政府组织", "CPI": "清廉指数",
    "FemLab": "女性劳动参与率", "WomParl": "女性议员比例", "PubDebt": "公共债务占GDP比重",
    "PrivDebt": "私人债务占GDP比重", "GDPGrow": "人均GDP增长率", "RDExp": "研发支出占GDP比重",
    "NEET": "既未就学、就业也未培训的青年比例",
    "Physical": "物理互联", "ConEcFin": "经济与金融(互联)", "Political": "政治互联", "Instit": "制度互联",
    "P2P": "人文交流", "Environ": "环境", "Social": "社会", "SusEcFin": "经济与金融(可持续)",
    "Conn": "互联互通", "Sust": "可持续性", "Index": "可持续互联互通指数",
}


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


rows = list(csv.DictReader(open(FIX / "input_ASEM_iMeta.csv", encoding="utf-8")))
out = [
    "# asem-coinr: COINr's ASEM Sustainable Connectivity example (51 countries, 49 indicators,",
    "# Indicator -> 8 pillars -> 2 sub-indices -> Index), for users migrating from COINr.",
    "#",
    "# Source: the R package COINr 1.1.14 (MIT licence, European Commission Joint Research Centre),",
    "# its example iMeta table, converted by indicators/tools/convert_asem.py. Ids are COINr's iCodes,",
    "# English names, units, directions, weights, targets and denominators are COINr's; Chinese names",
    "# are our translations. Real data (not synthetic), as shipped with COINr.",
    "",
    "version = 1",
    'id = "asem-coinr"',
    'name = { zh = "亚欧会议可持续互联互通指数(COINr 示例)", en = "ASEM Sustainable Connectivity (COINr example)" }',
    'description = "COINr\'s ASEM example framework (MIT, EU JRC): 49 indicators, 8 pillars, 2 sub-indices."',
]
for r in rows:
    if r["Type"] not in ("Indicator", "Aggregate"):
        continue
    code = r["iCode"]
    out += ["", "[[nodes]]", f"id = {q(code)}"]
    if r["Parent"]:
        out.append(f"parent = {q(r['Parent'])}")
    out.append(f"name = {{ zh = {q(ZH[code])}, en = {q(r['iName'])} }}")
    if float(r["Weight"]) != 1.0:
        out.append(f"weight = {float(r['Weight'])!r}")
    if r["Type"] == "Indicator":
        out.append('kind = "indicator"')
        out.append(f"direction = {q('cost' if float(r['Direction']) < 0 else 'benefit')}")
        out.append(f"unit = {q(r['Unit'])}")
        if r["Target"]:
            out.append(f"target = {float(r['Target'])!r}")
        if r["Denominator"]:
            out.append(f"denominator = {q(r['Denominator'])}")
        out.append(f"source = {q('COINr 1.1.14 ASEM example (MIT, EU JRC), iMeta level 1, iCode ' + code)}")
(ROOT / "indicators" / "frameworks" / "asem-coinr.toml").write_text("\n".join(out) + "\n", encoding="utf-8")
shutil.copy(FIX / "input_ASEM_iData.csv", ROOT / "indicators" / "data" / "asem-coinr.csv")
print("wrote indicators/frameworks/asem-coinr.toml and indicators/data/asem-coinr.csv")
