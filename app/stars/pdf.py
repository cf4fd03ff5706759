"""PDF downloads: the star certificate (星级证书) and the special-capability report
(企业提供产品或服务的专项能力报告). Chinese text uses the Adobe CID font STSong-Light built into
ReportLab, so no font file is needed."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape as e

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import rules

FONT = "STSong-Light"
STANDARD = "T11/AII 001-2020《工业互联网上云企业履约能力评价要求》"
_registered = False


def _font():
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True


def _styles():
    _font()
    return {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=22, leading=30, alignment=1, spaceAfter=12),
        "h2": ParagraphStyle("h2", fontName=FONT, fontSize=14, leading=20, spaceBefore=10, spaceAfter=6),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17),
        "small": ParagraphStyle("small", fontName=FONT, fontSize=8, leading=11),
    }


def _table(rows, widths):
    t = Table(rows, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 8),
                           ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def _build(story, title) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=title, author="Jianping", leftMargin=18 * mm,
                            rightMargin=18 * mm, topMargin=20 * mm, bottomMargin=18 * mm)
    doc.build(story)
    return buf.getvalue()


def certificate(application, standing) -> bytes:
    st = _styles()
    ex = application.explanation or {}
    level = application.awarded_level
    story = [Spacer(1, 20 * mm), Paragraph("上云企业综合星级证书", st["title"]),
             Paragraph(e(application.enterprise.name), st["title"]),
             Paragraph(f"综合星级：{'★' * level}（{level}星级）", st["h2"]),
             Paragraph(f"企业类型：{rules.ENTERPRISE_TYPES[application.scheme.enterprise_type][0]}"
                       f"　评价方案：第 {application.scheme.version} 版", st["body"]),
             Paragraph(f"综合评价得分 S = {ex.get('composite', '—')}", st["body"]),
             Paragraph(f"评定日期：{application.decided_at:%Y-%m-%d}　申请编号：{application.id}", st["body"]),
             Paragraph(f"评价依据：{STANDARD}", st["body"])]
    if ex.get("single_item_stars"):
        story.append(Paragraph("单项星级", st["h2"]))
        rows = [["评价大项", "单项得分 S_i", "权重 X_i（%）", "单项星级"]]
        for d in ex["dimensions"]:
            rows.append([d["name"], d["score"], d["weight"], str(ex["single_item_stars"].get(d["name"], 0))])
        story.append(_table(rows, [50 * mm, 35 * mm, 35 * mm, 30 * mm]))
    story += [Spacer(1, 10 * mm), Paragraph(
        "本证书所载星级实行动态管理：评价结果的采信方每年度至少组织一次监督审查，并视情况进行不定期抽查；"
        "当前星级以星级公示为准。", st["small"])]
    return _build(story, f"星级证书 {application.enterprise.name}")


def special_report(ev) -> bytes:
    st = _styles()
    report = ev.report or {}
    story = [Paragraph("企业提供产品或服务的专项能力报告", st["title"]),
             Paragraph(f"企业：{e(ev.enterprise.name)}", st["body"]),
             Paragraph(f"认证机构：{e(report.get('certifier') or '—')}　出具日期：{report.get('issued_at', '—')}", st["body"]),
             Paragraph(f"评价依据：{STANDARD}（专项能力评价不评定星级）", st["body"])]
    if report.get("summary"):
        story.append(Paragraph(f"现场审查总结：{e(report['summary'])}", st["body"]))
    for stage in report.get("stages", []):
        story.append(Paragraph(f"{stage['table_id']} {stage['name']}：{stage['score']} / 1000", st["h2"]))
        rows = [["指标", "内容", "分值", "评分系数（%）", "得分", "审查发现"]]
        for line in stage["lines"]:
            rows.append([line["code"], Paragraph(e(line["text"] or ""), st["small"]), str(line["points"]),
                         line["coefficient"] or "—", line["earned"], Paragraph(e(line.get("finding") or ""), st["small"])])
        story.append(_table(rows, [20 * mm, 45 * mm, 12 * mm, 20 * mm, 15 * mm, 62 * mm]))
    return _build(story, f"专项能力报告 {ev.enterprise.name}")
