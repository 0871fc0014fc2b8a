"""Chinese and Russian versions of the demo's English content, keyed by the English text."""

TRANSLATIONS: dict[str, dict[str, str]] = {
    # The series (Event.series_name's default)
    "China–Central Asia Cooperation Forum": {
        "zh_hans": "中国—中亚合作论坛",
        "ru": "форум сотрудничества «Китай — Центральная Азия»",
    },
    # Organizations: full and short names
    "Good-Neighborliness, Friendship and Cooperation Committee of the Shanghai Cooperation Organization": {
        "zh_hans": "上海合作组织睦邻友好合作委员会",
        "ru": "Комитет добрососедства, дружбы и сотрудничества ШОС",
    },
    "SCO Committee": {"zh_hans": "上合组织睦委会", "ru": "Комитет ШОС"},
    "Shanghai Cooperation Organization": {
        "zh_hans": "上海合作组织",
        "ru": "Шанхайская организация сотрудничества",
    },
    "SCO": {"zh_hans": "上合组织", "ru": "ШОС"},
    "People's Government of Gansu Province": {
        "zh_hans": "甘肃省人民政府",
        "ru": "Народное правительство провинции Ганьсу",
    },
    "Gansu Province": {"zh_hans": "甘肃省", "ru": "Провинция Ганьсу"},
    "People's Government of Lanzhou Municipality": {
        "zh_hans": "兰州市人民政府",
        "ru": "Народное правительство города Ланьчжоу",
    },
    "Lanzhou Municipality": {"zh_hans": "兰州市", "ru": "Город Ланьчжоу"},
    "Foreign Affairs Office of the Gansu Provincial Government": {
        "zh_hans": "甘肃省人民政府外事办公室",
        "ru": "Канцелярия по иностранным делам Народного правительства провинции Ганьсу",
    },
    "Gansu FAO": {"zh_hans": "甘肃省外办", "ru": "Канцелярия по иностранным делам Ганьсу"},
    "Government of the Republic of Kazakhstan": {
        "zh_hans": "哈萨克斯坦共和国政府",
        "ru": "Правительство Республики Казахстан",
    },
    "Kazakhstan": {"zh_hans": "哈萨克斯坦", "ru": "Казахстан"},
    "Embassy of the Republic of Tajikistan in China": {
        "zh_hans": "塔吉克斯坦共和国驻华大使馆",
        "ru": "Посольство Республики Таджикистан в Китайской Народной Республике",
    },
    "Embassy of Tajikistan": {"zh_hans": "塔吉克斯坦驻华使馆", "ru": "Посольство Таджикистана"},
    "Global Times Online (Huanqiu.com)": {
        "zh_hans": "环球网",
        "ru": "Интернет-портал «Хуаньцю» (Huanqiu.com)",
    },
    "Huanqiu.com": {"zh_hans": "环球网", "ru": "Портал «Хуаньцю»"},
    "Silk Road Green Energy Alliance (sample)": {
        "zh_hans": "丝路绿色能源联盟（示例）",
        "ru": "Альянс зелёной энергетики Шёлкового пути (образец)",
    },
    "Lanzhou International Logistics Port (sample)": {
        "zh_hans": "兰州国际物流港（示例）",
        "ru": "Международный логистический порт Ланьчжоу (образец)",
    },
    "Central Asia Telemedicine Network (sample)": {
        "zh_hans": "中亚远程医疗网络（示例）",
        "ru": "Центральноазиатская сеть телемедицины (образец)",
    },
    "Silk Road E-commerce Platform (sample)": {
        "zh_hans": "丝路电子商务平台（示例）",
        "ru": "Платформа электронной торговли Шёлкового пути (образец)",
    },
    # Sectors
    "Satellite navigation": {"zh_hans": "卫星导航", "ru": "Спутниковая навигация"},
    "Green development": {"zh_hans": "绿色发展", "ru": "Зелёное развитие"},
    "Health": {"zh_hans": "卫生健康", "ru": "Здравоохранение"},
    "Logistics": {"zh_hans": "物流", "ru": "Логистика"},
    "Digital economy": {"zh_hans": "数字经济", "ru": "Цифровая экономика"},
    "Agriculture": {"zh_hans": "农业", "ru": "Сельское хозяйство"},
    # Sub-forums: titles and rooms
    "Opening ceremony": {"zh_hans": "开幕式", "ru": "Церемония открытия"},
    "Women's Development Forum": {"zh_hans": "妇女发展论坛", "ru": "Форум по вопросам развития женщин"},
    "China–Central Asia BeiDou (BDS) Cooperation Forum": {
        "zh_hans": "中国—中亚北斗合作论坛",
        "ru": "Форум «Китай — Центральная Азия» по сотрудничеству в области системы Бэйдоу (BDS)",
    },
    "Green Development Forum": {"zh_hans": "绿色发展论坛", "ru": "Форум по зелёному развитию"},
    "Modern Commerce and Logistics Forum": {
        "zh_hans": "现代商贸物流论坛",
        "ru": "Форум по современной торговле и логистике",
    },
    "Closing ceremony": {"zh_hans": "闭幕式", "ru": "Церемония закрытия"},
    "Main hall": {"zh_hans": "主会场", "ru": "Главный зал"},
    "Hall A": {"zh_hans": "A厅", "ru": "Зал A"},
    "Hall B": {"zh_hans": "B厅", "ru": "Зал B"},
    # Sub-forum summaries
    "Opening of the forum.": {"zh_hans": "论坛开幕。", "ru": "Открытие форума."},
    (
        "Cooperation on China's BeiDou Navigation Satellite System (BDS), which can provide customized "
        "services according to the needs of different countries and industries."
    ): {
        "zh_hans": "围绕中国北斗卫星导航系统（BDS）开展合作。该系统可根据不同国家和行业的需求提供定制化服务。",
        "ru": (
            "Сотрудничество в области китайской спутниковой навигационной системы Бэйдоу (BDS), способной "
            "предоставлять индивидуальные услуги с учётом потребностей разных стран и отраслей."
        ),
    },
    "Environmental protection, carbon neutrality and a green Silk Road.": {
        "zh_hans": "环境保护、碳中和与绿色丝绸之路。",
        "ru": "Охрана окружающей среды, углеродная нейтральность и зелёный Шёлковый путь.",
    },
    "Trade and economic cooperation and modern logistics between China and Central Asia.": {
        "zh_hans": "中国与中亚之间的经贸合作与现代物流。",
        "ru": "Торгово-экономическое сотрудничество и современная логистика между Китаем и Центральной Азией.",
    },
    "Women's role in the development of China and the Central Asian countries.": {
        "zh_hans": "妇女在中国和中亚国家发展中的作用。",
        "ru": "Роль женщин в развитии Китая и стран Центральной Азии.",
    },
    "Closing of the forum and release of the joint initiative.": {
        "zh_hans": "论坛闭幕，发布联合倡议。",
        "ru": "Закрытие форума и обнародование совместной инициативы.",
    },
    # Interpretation languages
    "Chinese, Russian, English": {"zh_hans": "中文、俄文、英文", "ru": "Китайский, русский, английский"},
    # Speakers' positions
    "Secretary-General of the Shanghai Cooperation Organization": {
        "zh_hans": "上海合作组织秘书长",
        "ru": "Генеральный секретарь Шанхайской организации сотрудничества",
    },
    "First Deputy Prime Minister of Kazakhstan": {
        "zh_hans": "哈萨克斯坦第一副总理",
        "ru": "Первый заместитель премьер-министра Казахстана",
    },
    "Ambassador of Tajikistan to China": {
        "zh_hans": "塔吉克斯坦驻华大使",
        "ru": "Посол Таджикистана в Китае",
    },
    # Exhibits: titles and summaries
    "China's BeiDou Navigation Satellite System (BDS)": {
        "zh_hans": "中国北斗卫星导航系统（BDS）",
        "ru": "Китайская спутниковая навигационная система Бэйдоу (BDS)",
    },
    (
        "A themed exhibit on China's BeiDou Navigation Satellite System, which can provide customized "
        "services according to the needs of different countries and industries."
    ): {
        "zh_hans": "中国北斗卫星导航系统主题展。该系统可根据不同国家和行业的需求提供定制化服务。",
        "ru": (
            "Тематическая экспозиция, посвящённая китайской спутниковой навигационной системе Бэйдоу, "
            "способной предоставлять индивидуальные услуги с учётом потребностей разных стран и отраслей."
        ),
    },
    "Green energy corridor (sample exhibit)": {
        "zh_hans": "绿色能源走廊（示例展项）",
        "ru": "Коридор зелёной энергетики (пример экспозиции)",
    },
    "Sample content: wind and solar projects linking Central Asian grids.": {
        "zh_hans": "示例内容：连接中亚各国电网的风电和光伏项目。",
        "ru": "Пример: проекты ветровой и солнечной энергетики, объединяющие энергосистемы Центральной Азии.",
    },
    "Lanzhou rail and logistics port (sample exhibit)": {
        "zh_hans": "兰州铁路物流港（示例展项）",
        "ru": "Железнодорожный и логистический порт Ланьчжоу (пример экспозиции)",
    },
    "Sample content: China–Europe rail freight through Lanzhou to Central Asia.": {
        "zh_hans": "示例内容：经兰州通往中亚的中欧班列货运。",
        "ru": "Пример: железнодорожные грузоперевозки Китай — Европа через Ланьчжоу в Центральную Азию.",
    },
    "Telemedicine across Central Asia (sample exhibit)": {
        "zh_hans": "中亚远程医疗（示例展项）",
        "ru": "Телемедицина в Центральной Азии (пример экспозиции)",
    },
    "Sample content: remote consultations between hospitals in Tashkent, Bishkek and Lanzhou.": {
        "zh_hans": "示例内容：塔什干、比什凯克与兰州各医院之间的远程会诊。",
        "ru": "Пример: дистанционные консультации между больницами Ташкента, Бишкека и Ланьчжоу.",
    },
    "Silk Road cross-border e-commerce (sample exhibit)": {
        "zh_hans": "丝路跨境电商（示例展项）",
        "ru": "Трансграничная электронная торговля на Шёлковом пути (пример экспозиции)",
    },
    "Sample content: a marketplace for Central Asian agricultural products in China.": {
        "zh_hans": "示例内容：面向中国市场的中亚农产品交易平台。",
        "ru": "Пример: торговая площадка для сельскохозяйственной продукции Центральной Азии в Китае.",
    },
    # The 8th edition
    (
        "The 8th China–Central Asia Cooperation Forum was held in Lanzhou, capital of Gansu Province, from "
        "15 to 17 October 2021, in person and online. Representatives of China, Kazakhstan, Tajikistan, "
        "Kyrgyzstan, Turkmenistan and Uzbekistan and of international organizations took part; envoys of "
        "Armenia and Azerbaijan were also invited. It closed with a joint initiative calling to deepen trade "
        "and economic cooperation and improve modern logistics.\n\n"
        "The sources do not give the sessions' times: the times in this demo are sample content, marked “Sample”."
    ): {
        "zh_hans": (
            "第八届中国—中亚合作论坛于2021年10月15日至17日在甘肃省省会兰州以线上线下相结合的方式举行。"
            "中国、哈萨克斯坦、塔吉克斯坦、吉尔吉斯斯坦、土库曼斯坦、乌兹别克斯坦以及国际组织的代表参加论坛，"
            "论坛还邀请了亚美尼亚和阿塞拜疆的使节。论坛闭幕时发布联合倡议，呼吁深化经贸合作、完善现代物流。\n\n"
            "资料来源未载明各场会议的时间：本演示中的会议时间为示例内容，标有“示例”字样。"
        ),
        "ru": (
            "8-й форум сотрудничества «Китай — Центральная Азия» прошёл с 15 по 17 октября 2021 года "
            "в Ланьчжоу, административном центре провинции Ганьсу, в очном и онлайн-формате. В нём приняли "
            "участие представители Китая, Казахстана, Таджикистана, Кыргызстана, Туркменистана и Узбекистана, "
            "а также международных организаций; были приглашены и дипломатические представители Армении и "
            "Азербайджана. Форум завершился принятием совместной инициативы, призывающей углублять "
            "торгово-экономическое сотрудничество и совершенствовать современную логистику.\n\n"
            "Источники не называют время заседаний: время в этой демонстрационной версии — пример, "
            "оно отмечено словом «Пример»."
        ),
    },
    "Strengthen Solidarity and Cooperation for Building a Community of Security and Development": {
        "zh_hans": "加强团结协作，共建安全与发展共同体",
        "ru": "Укрепление солидарности и сотрудничества во имя построения сообщества безопасности и развития",
    },
    (
        "Co-hosted by the SCO Good-Neighborliness, Friendship and Cooperation Committee and the People's "
        "Government of Gansu Province, in a hybrid format, with four sub-forums and a themed exhibit on "
        "China's BeiDou Navigation Satellite System."
    ): {
        "zh_hans": (
            "由上海合作组织睦邻友好合作委员会和甘肃省人民政府共同主办，以线上线下相结合的方式举行，"
            "设四个分论坛，并举办中国北斗卫星导航系统主题展。"
        ),
        "ru": (
            "Организаторы — Комитет добрососедства, дружбы и сотрудничества ШОС и Народное правительство "
            "провинции Ганьсу. Форум прошёл в смешанном формате; программа включала четыре подфорума и "
            "тематическую экспозицию, посвящённую китайской спутниковой навигационной системе Бэйдоу."
        ),
    },
    "Lanzhou, Gansu Province": {"zh_hans": "甘肃省兰州市", "ru": "Ланьчжоу, провинция Ганьсу"},
    "Huanqiu.com (Global Times Online)": {
        "zh_hans": "环球网",
        "ru": "Интернет-портал «Хуаньцю» (Huanqiu.com)",
    },
    # Documents
    "Joint initiative of the 8th China–Central Asia Cooperation Forum": {
        "zh_hans": "第八届中国—中亚合作论坛联合倡议",
        "ru": "Совместная инициатива 8-го форума сотрудничества «Китай — Центральная Азия»",
    },
    (
        "Released at the close of the forum, aiming at more profound and practical openness and "
        "cooperation: deepen trade and economic cooperation and improve modern logistics."
    ): {
        "zh_hans": "于论坛闭幕时发布，旨在推动更加深入务实的开放合作：深化经贸合作，完善现代物流。",
        "ru": (
            "Обнародована при закрытии форума и направлена на более глубокую и практическую открытость и "
            "сотрудничество: углубление торгово-экономического сотрудничества и совершенствование современной "
            "логистики."
        ),
    },
    "8th China–Central Asia Cooperation Forum concluded in Lanzhou": {
        "zh_hans": "第八届中国—中亚合作论坛在兰州闭幕",
        "ru": "В Ланьчжоу завершился 8-й форум сотрудничества «Китай — Центральная Азия»",
    },
    "Global Times Online press release on the forum's conclusion and its joint initiative.": {
        "zh_hans": "环球网关于论坛闭幕及其联合倡议的新闻稿。",
        "ru": "Пресс-релиз портала «Хуаньцю» (Global Times Online) о завершении форума и его совместной инициативе.",
    },
    (
        "SCO Secretary-General Vladimir Norov called the forum an authoritative platform for extensive "
        "exchanges between China and Central Asian countries. Alikhan Smailov, First Deputy Prime "
        "Minister of Kazakhstan, proposed putting environmental protection at the top of the agenda and "
        "named health cooperation a priority. Tajikistan's ambassador to China, Saidzoda Zohir, spoke of "
        "a healthy, green and digital Silk Road.\n\nMedia contact: Liu Gehua, Huanqiu.com."
    ): {
        "zh_hans": (
            "上合组织秘书长弗拉基米尔·诺罗夫表示，该论坛是中国与中亚国家开展广泛交流的权威平台。"
            "哈萨克斯坦第一副总理阿利汉·斯迈洛夫提议将环境保护置于议程首位，并将卫生健康合作列为优先方向。"
            "塔吉克斯坦驻华大使佐希尔·赛义德佐达谈到共建健康、绿色、数字丝绸之路。\n\n"
            "媒体联系人：Liu Gehua，环球网。"
        ),
        "ru": (
            "Генеральный секретарь ШОС Владимир Норов назвал форум авторитетной площадкой для широкого обмена "
            "между Китаем и странами Центральной Азии. Первый заместитель премьер-министра Казахстана Алихан "
            "Смаилов предложил поставить охрану окружающей среды на первое место в повестке дня и назвал "
            "сотрудничество в сфере здравоохранения приоритетом. Посол Таджикистана в Китае Саидзода Зохир "
            "говорил о здоровом, зелёном и цифровом Шёлковом пути.\n\n"
            "Контакт для СМИ: Лю Гэхуа, портал «Хуаньцю» (Huanqiu.com)."
        ),
    },
    # The sample edition
    "Sample edition: Connectivity, Green Growth and Digital Cooperation": {
        "zh_hans": "示例届次：互联互通、绿色增长与数字合作",
        "ru": "Пример форума: взаимосвязанность, зелёный рост и цифровое сотрудничество",
    },
    "Sample content for trying forum_site: an upcoming hybrid edition with registration open.": {
        "zh_hans": "用于试用 forum_site 的示例内容：一届即将以线上线下相结合方式举办的论坛，现已开放报名。",
        "ru": "Пример для знакомства с forum_site: предстоящий форум в смешанном формате с открытой регистрацией.",
    },
    (
        "This edition is demonstration data made by cloning the 8th forum. Its dates, capacities and "
        "programme are invented so that registration can be tried."
    ): {
        "zh_hans": "本届论坛为演示数据，由复制第八届论坛生成。其日期、名额和议程均为虚构，仅供试用报名功能。",
        "ru": (
            "Этот форум — демонстрационные данные, созданные копированием 8-го форума. Даты, вместимость и "
            "программа вымышлены, чтобы можно было опробовать регистрацию."
        ),
    },
}
