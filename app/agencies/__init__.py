"""Consulting agencies (贯标咨询服务机构): registration, information disclosure (信息公开),
team, projects and the enterprises' satisfaction feedback (满意度反馈).

Source: ../shared/seeds/agency-supervision-and-rating-rules.txt (信息公开要求; 评级依据 1) 注1/注2).
"""
FEEDBACK_PROCESS_KEY = "satisfaction_feedback"
