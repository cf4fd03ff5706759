"""The Wenzhou programme (温州市智能化技改咨询（培训）机构服务购买): the annual call and the city
directory of agencies, the annual evaluation of 附件3, training events and exclusions."""
