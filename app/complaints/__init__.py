"""Complaints and reports against consulting agencies (投诉、举报及处理).

Source: ../shared/seeds/agency-supervision-and-rating-rules.txt, lines 119-135 and the
rating-adjustment trigger "近三个月内被投诉或举报达3次以上，经核实情况属实且情节严重".
"""
PROCESS_KEY = "complaint"
