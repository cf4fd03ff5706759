"""`flask demo load`: demo organisations and one user per role (idempotent)."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from .auth.models import Organisation, User
from .auth.services import create_user
from .extensions import db

demo_cli = AppGroup("demo", help="Demo data.")

# name, kind, region code (None: outside the shipped regions)
ORGS = [("华信两化咨询有限公司", "agency", None), ("启明管理咨询中心", "agency", None),
        ("东海精密制造股份有限公司", "enterprise", "330381"), ("云翼工业软件有限公司", "enterprise", "330302"),
        ("中正认证评价中心", "certifier", None)]
USERS = [
    # username, password, role, display name, organisation
    ("admin", "admin-demo-1", "admin", "管理员 王敏", None),
    ("handler", "handler-demo-1", "handler", "投诉处理 李娜", None),
    ("expert1", "expert-demo-1", "expert", "专家 张伟", None),
    ("expert2", "expert-demo-2", "expert", "专家 刘洋", None),
    ("expert3", "expert-demo-3", "expert", "专家 陈静", None),
    ("expert4", "expert-demo-4", "expert", "专家 赵磊（华信）", "华信两化咨询有限公司"),
    ("agency", "agency-demo-1", "agency", "华信两化 客服", "华信两化咨询有限公司"),
    ("enterprise", "enterprise-demo-1", "enterprise", "东海精密 质量部", "东海精密制造股份有限公司"),
    ("enterprise2", "enterprise-demo-2", "enterprise", "云翼工业软件 运营部", "云翼工业软件有限公司"),
    ("certifier", "certifier-demo-1", "certifier", "中正认证 审查员 孙悦", "中正认证评价中心"),
]


def load_demo() -> list[tuple]:
    from .regions.operations import ensure_regions
    from .regions.queries import by_code
    ensure_regions()  # reference data, not demo: the demo organisations sit in regions
    orgs = {}
    for name, kind, region_code in ORGS:
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if org is None:
            region = by_code(region_code) if region_code else None
            org = Organisation(name=name, kind=kind, registered=True, region_id=region.id if region else None)
            db.session.add(org)
            db.session.flush()
        orgs[name] = org
    for username, password, role, display, org_name in USERS:
        if db.session.scalar(select(User).where(User.username == username)) is None:
            create_user(username, password, role, display, orgs.get(org_name))
    db.session.commit()
    return [(u, p, r) for u, p, r, _d, _o in USERS]


@demo_cli.command("load")
def load():
    """Create demo organisations and users (keeps existing data)."""
    from pathlib import Path
    from . import ROOT
    from .engine import definitions
    definitions.deploy_directory(ROOT / "bpmn")
    db.session.commit()
    users = load_demo()
    from .stars import catalogue
    schemes = catalogue.load_catalogue()  # one evaluation scheme per enterprise type, once
    db.session.commit()
    if schemes:
        click.echo(f"Star rating: {len(schemes)} evaluation schemes loaded from the indicator catalogue")
    if load_agency_demo():
        click.echo("Agencies: the demo agency's disclosure, team and a project loaded")
    click.echo("Demo logins (username / password / role):")
    for username, password, role in users:
        click.echo(f"  {username:<11} {password:<18} {role}")


def load_agency_demo() -> bool:
    """The demo agency's first disclosure, two consultants and an ended project (once)."""
    from datetime import date
    from .agencies.models import Consultant, DisclosureVersion, Project, ProjectMember
    from .agencies.services import profile_of
    from .engine.clock import utcnow
    agency = db.session.scalar(select(Organisation).where(Organisation.name == ORGS[0][0]))
    enterprise = db.session.scalar(select(Organisation).where(Organisation.name == ORGS[2][0]))
    if agency is None or db.session.scalar(select(DisclosureVersion.id).where(
            DisclosureVersion.organisation_id == agency.id)):
        return False
    prof = profile_of(agency.id)
    prof.current_version, prof.disclosed_at = 1, utcnow()
    db.session.add(DisclosureVersion(organisation_id=agency.id, version=1, changed=[], created_at=utcnow(), data={
        "registered_capital": "500万元", "province": "浙江", "city": "杭州", "industries": "装备制造、电子信息",
        "introduction": "专注两化融合管理体系贯标咨询。", "contact": "李经理 0571-88888888",
        "address": "杭州市西湖区文三路1号", "service_system": "六阶段贯标服务流程与质量控制机制",
        "years_in_consulting": 8, "revenue_range": "5-10m", "related_years": 12, "related_revenue_range": "10-50m",
        "knowledge_sharing": "在平台分享贯标案例12篇", "citations": "被引用35次", "awards": "", "other_info": ""}))
    a = Consultant(organisation_id=agency.id, name="赵六", certificate_no="LH-2024-001",
                   certificate_issued_on=date(2024, 3, 1))
    b = Consultant(organisation_id=agency.id, name="钱七")
    db.session.add_all([a, b])
    db.session.flush()
    project = Project(organisation_id=agency.id, enterprise_id=enterprise.id, start_date=date(2025, 3, 1),
                      end_date=date(2025, 12, 20), passed_on=date(2026, 4, 10), contract_amount=480000)
    db.session.add(project)
    db.session.flush()
    db.session.add_all([ProjectMember(project_id=project.id, consultant_id=a.id, on_site_days=28),
                        ProjectMember(project_id=project.id, consultant_id=b.id, on_site_days=6)])
    db.session.commit()
    return True
