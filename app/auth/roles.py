"""The platform's roles. BPMN lanes name one of these."""
from flask_babel import lazy_gettext as _l

ADMIN = "admin"          # 管理员
HANDLER = "handler"      # 投诉处理人员
EXPERT = "expert"        # 专家
AGENCY = "agency"        # 咨询服务机构用户
ENTERPRISE = "enterprise"  # 企业用户
CERTIFIER = "certifier"    # 第三方评价机构（认证机构）用户

ROLES = {
    ADMIN: _l("Administrator"),
    HANDLER: _l("Complaint handler"),
    EXPERT: _l("Expert"),
    AGENCY: _l("Agency user"),
    ENTERPRISE: _l("Enterprise user"),
    CERTIFIER: _l("Certification body user"),
}

# Roles whose users belong to exactly one organisation of that kind.
ORGANISATION_ROLES = {AGENCY: "agency", ENTERPRISE: "enterprise", CERTIFIER: "certifier"}
# Roles that see every case (staff of the supervising body).
STAFF_ROLES = {ADMIN, HANDLER}
