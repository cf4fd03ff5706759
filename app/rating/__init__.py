"""The semi-annual rating of agencies (评级): cycles, applications, authenticity spot-check
(真实性抽查), expert review (专家评审), 10 working days of public notice (公示), confirmation,
public recommendation (公开推荐) and rating adjustment or cancellation (评级调整、取消).

Source: ../shared/seeds/agency-supervision-and-rating-rules.txt (评级, 评级工作程序, 评级依据).
"""
PROCESS_KEY = "agency_rating"
ADJUSTMENT_PROCESS_KEY = "rating_adjustment"
