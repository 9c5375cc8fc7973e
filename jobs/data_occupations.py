"""The seed taxonomy of gig occupations (工种): (category code, category name, [(code, name, licensed,
minors_forbidden), …]). Licensed = special operations (特种作业) or work that needs a licence on record.
Staff maintain the live list in the admin; this is only the starting point."""

OCCUPATIONS = [
    ("construction", "建筑装修", [
        ("electrician", "电工", True, True), ("welder", "电焊工", True, True), ("height_worker", "高处作业工", True, True),
        ("scaffolder", "架子工", True, True), ("bricklayer", "瓦工", False, True), ("carpenter", "木工", False, True),
        ("plasterer", "抹灰工", False, False), ("painter", "油漆工", False, True), ("tiler", "贴砖工", False, False),
        ("rebar_worker", "钢筋工", False, True), ("concrete_worker", "混凝土工", False, True), ("plumber", "水暖工", False, False),
        ("waterproofer", "防水工", False, True), ("drywall_worker", "吊顶隔墙安装工", False, False),
        ("demolition", "拆除工", False, True), ("construction_helper", "建筑小工", False, True),
        ("tower_crane", "塔式起重机司机", True, True), ("signal_worker", "起重信号司索工", True, True),
    ]),
    ("housekeeping", "家政服务", [
        ("cleaner", "保洁员", False, False), ("nanny", "保姆", False, False), ("maternity_nurse", "月嫂（母婴护理员）", False, True),
        ("elder_carer", "养老护理员", False, True), ("hourly_helper", "钟点工", False, False), ("cook_home", "家庭厨师", False, False),
        ("window_cleaner", "高空外墙清洗工", True, True), ("appliance_cleaner", "家电清洗工", False, False),
        ("housekeeper", "家务管理员", False, False),
    ]),
    ("moving", "搬运装卸", [
        ("porter", "搬运工", False, True), ("loader", "装卸工", False, True), ("mover", "搬家工", False, True),
        ("forklift", "叉车司机", True, True), ("warehouse_sorter", "仓库分拣员", False, False), ("packer", "打包员", False, False),
    ]),
    ("delivery", "配送出行", [
        ("rider", "网约配送员（外卖骑手）", False, False), ("courier", "快递员", False, False),
        ("ride_hailing", "网约车驾驶员", True, True), ("truck_driver", "货车司机", True, True),
        ("designated_driver", "代驾司机", True, True), ("van_driver", "面包车送货司机", True, True),
        ("runner", "跑腿员", False, False),
    ]),
    ("agriculture", "农业生产", [
        ("picker", "采摘工", False, False), ("greenhouse", "大棚种植工", False, False), ("vegetable_sorter", "蔬菜分拣工", False, False),
        ("farmhand", "农活帮工", False, False), ("pruner", "果树修剪工", False, False), ("livestock", "畜禽饲养员", False, False),
        ("pesticide_sprayer", "农药喷洒工", False, True), ("drone_pilot", "农用无人机驾驶员", True, True),
        ("seedling", "育苗工", False, False),
    ]),
    ("manufacturing", "加工制造", [
        ("assembler", "流水线普工", False, False), ("quality_inspector", "质检员", False, False),
        ("sewing", "缝纫工", False, False), ("textile", "纺织挡车工", False, False), ("food_processing", "食品加工工", False, False),
        ("machinist", "机床操作工", False, True), ("spray_painter", "喷漆工", False, True),
        ("boiler", "司炉工", True, True), ("refrigeration", "制冷与空调作业工", True, True),
    ]),
    ("catering", "餐饮住宿", [
        ("kitchen_helper", "厨房帮工", False, False), ("dishwasher", "洗碗工", False, False), ("waiter", "服务员", False, False),
        ("chef", "厨师", False, False), ("pastry", "面点师", False, False), ("banquet_helper", "宴席帮工", False, False),
        ("room_attendant", "客房服务员", False, False),
    ]),
    ("services", "生活服务", [
        ("security", "保安员", True, True), ("property_repair", "物业维修工", False, False),
        ("appliance_installer", "家电安装工", False, False), ("locksmith", "开锁工", True, True),
        ("gardener", "绿化工", False, False), ("sanitation", "环卫工", False, False), ("parking_attendant", "停车管理员", False, False),
        ("event_setup", "会展搭建工", False, True), ("hairdresser", "美发师", False, False),
    ]),
    ("new_forms", "新就业形态", [
        ("live_seller", "直播销售员", False, False), ("live_assistant", "直播助理（场控）", False, False),
        ("video_editor", "短视频剪辑员", False, False), ("community_group_buy", "社区团购团长", False, False),
        ("data_labeler", "数据标注员", False, False), ("online_service", "网络客服", False, False),
    ]),
    ("office", "文员销售", [
        ("promoter", "促销员", False, False), ("flyer", "发单员", False, False), ("data_entry", "录入员", False, False),
        ("cashier", "收银员", False, False), ("inventory_counter", "盘点员", False, False), ("survey", "调查访问员", False, False),
    ]),
]
