"""Star rating of cloud enterprises (工业互联网上云企业履约能力评价, T11/AII 001-2020)."""
UPGRADE_PROCESS = "star_upgrade"
SUPERVISION_PROCESS = "annual_supervision"
SPECIAL_PROCESS = "special_evaluation"
