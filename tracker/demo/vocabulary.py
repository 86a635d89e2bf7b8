"""Words for the benchmark dataset: units, people and tasks that read like Hà Nội's.

People are fictional. Unit names follow the city's real pattern; beyond the real departments
and districts, divisions and communes are numbered.
"""

from __future__ import annotations

DEPARTMENTS = (
    ("SNV", "Sở Nội vụ"),
    ("STP", "Sở Tư pháp"),
    ("STC", "Sở Tài chính"),
    ("STTTT", "Sở Thông tin và Truyền thông"),
    ("TTTP", "Thanh tra thành phố"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư"),
    ("SXD", "Sở Xây dựng"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"),
    ("SYT", "Sở Y tế"),
    ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("SLDTBXH", "Sở Lao động – Thương binh và Xã hội"),
    ("SVHTT", "Sở Văn hóa và Thể thao"),
    ("SGTVT", "Sở Giao thông vận tải"),
    ("SQHKT", "Sở Quy hoạch – Kiến trúc"),
    ("SCT", "Sở Công Thương"),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("SKHCN", "Sở Khoa học và Công nghệ"),
    ("SDL", "Sở Du lịch"),
    ("SNGV", "Sở Ngoại vụ"),
    ("BDT", "Ban Dân tộc thành phố"),
    ("BQLKCN", "Ban Quản lý các khu công nghiệp và chế xuất"),
)

DISTRICTS = (
    ("Q-BADINH", "UBND quận Ba Đình"),
    ("Q-HOANKIEM", "UBND quận Hoàn Kiếm"),
    ("Q-DONGDA", "UBND quận Đống Đa"),
    ("Q-HAIBATRUNG", "UBND quận Hai Bà Trưng"),
    ("Q-CAUGIAY", "UBND quận Cầu Giấy"),
    ("Q-THANHXUAN", "UBND quận Thanh Xuân"),
    ("Q-TAYHO", "UBND quận Tây Hồ"),
    ("Q-LONGBIEN", "UBND quận Long Biên"),
    ("Q-HOANGMAI", "UBND quận Hoàng Mai"),
    ("Q-HADONG", "UBND quận Hà Đông"),
    ("Q-BACTULIEM", "UBND quận Bắc Từ Liêm"),
    ("Q-NAMTULIEM", "UBND quận Nam Từ Liêm"),
    ("H-HOAIDUC", "UBND huyện Hoài Đức"),
    ("H-DONGANH", "UBND huyện Đông Anh"),
    ("H-GIALAM", "UBND huyện Gia Lâm"),
    ("H-SOCSON", "UBND huyện Sóc Sơn"),
    ("H-THANHTRI", "UBND huyện Thanh Trì"),
    ("H-MELINH", "UBND huyện Mê Linh"),
    ("H-BAVI", "UBND huyện Ba Vì"),
    ("H-CHUONGMY", "UBND huyện Chương Mỹ"),
    ("H-DANPHUONG", "UBND huyện Đan Phượng"),
    ("H-MYDUC", "UBND huyện Mỹ Đức"),
    ("H-PHUCTHO", "UBND huyện Phúc Thọ"),
    ("H-PHUXUYEN", "UBND huyện Phú Xuyên"),
    ("H-QUOCOAI", "UBND huyện Quốc Oai"),
    ("H-THACHTHAT", "UBND huyện Thạch Thất"),
    ("H-THANHOAI", "UBND huyện Thanh Oai"),
    ("H-THUONGTIN", "UBND huyện Thường Tín"),
    ("H-UNGHOA", "UBND huyện Ứng Hòa"),
    ("TX-SONTAY", "UBND thị xã Sơn Tây"),
)

DIVISIONS = (
    "Văn phòng",
    "Phòng Tổ chức cán bộ",
    "Phòng Kế hoạch – Tài chính",
    "Thanh tra",
    "Phòng Pháp chế",
    "Phòng Cải cách hành chính",
    "Phòng Quản lý chuyên ngành",
    "Trung tâm Công nghệ thông tin",
)

COMMUNE_NAMES = (
    "An Khánh",
    "Kim Chung",
    "Đức Thượng",
    "Vân Canh",
    "Song Phương",
    "Tiền Phong",
    "Yên Viên",
    "Phù Đổng",
    "Cổ Loa",
    "Liên Hà",
    "Minh Phú",
    "Tân Dân",
    "Phúc Xá",
    "Trúc Bạch",
    "Hàng Bạc",
    "Cửa Nam",
    "Văn Miếu",
    "Láng Thượng",
    "Dịch Vọng",
    "Nghĩa Đô",
    "Khương Trung",
    "Nhân Chính",
    "Quảng An",
    "Bồ Đề",
    "Định Công",
    "Yên Nghĩa",
    "Mỹ Đình",
    "Xuân Đỉnh",
)

FIELDS = (
    ("CCHC", "Cải cách hành chính"),
    ("CDS", "Chuyển đổi số"),
    ("TCCB", "Tổ chức cán bộ"),
    ("TCNS", "Tài chính – ngân sách"),
    ("DTXD", "Đầu tư – xây dựng"),
    ("DDQH", "Đất đai – quy hoạch"),
    ("GDYT", "Giáo dục – y tế"),
    ("VHXH", "Văn hóa – xã hội"),
    ("GTDT", "Giao thông – đô thị"),
    ("TNMT", "Tài nguyên – môi trường"),
    ("KTTT", "Kinh tế – thương mại"),
    ("TTPC", "Thanh tra – pháp chế"),
)

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Dương")
MIDDLE = ("Văn", "Thị", "Minh", "Thu", "Đức", "Thanh", "Hồng", "Quốc", "Ngọc", "Hải")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam")
GIVEN += ("Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Yến", "Khánh")

DOCUMENT_KINDS = (
    ("Kế hoạch", "KH-UBND"),
    ("Công văn", "UBND-KSTTHC"),
    ("Quyết định", "QĐ-UBND"),
    ("Chỉ thị", "CT-UBND"),
    ("Thông báo kết luận", "TB-VP"),
)

VERBS = (
    "Triển khai",
    "Tổ chức thực hiện",
    "Rà soát",
    "Xây dựng",
    "Báo cáo kết quả",
    "Kiểm tra",
    "Hoàn thiện",
    "Đẩy mạnh",
    "Tổng hợp",
    "Đánh giá",
    "Khắc phục tồn tại về",
    "Tham mưu",
)

OBJECTS = (
    "kế hoạch cải cách hành chính",
    "thủ tục hành chính thuộc thẩm quyền giải quyết",
    "chỉ số cải cách hành chính (PAR Index)",
    "chuyển đổi số theo Nghị quyết 18-NQ/TU",
    "hồ sơ giải quyết thủ tục hành chính quá hạn",
    "công tác kiểm tra công vụ",
    "đề án vị trí việc làm",
    "dịch vụ công trực tuyến toàn trình",
    "số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "phân cấp, ủy quyền theo Quyết định 4610",
    "cá thể hóa trách nhiệm người đứng đầu",
    "công tác tiếp công dân, giải quyết khiếu nại",
    "giải ngân vốn đầu tư công",
    "chỉnh trang đô thị, trật tự xây dựng",
    "quản lý đất đai, cấp giấy chứng nhận",
    "an toàn thực phẩm",
    "phòng cháy, chữa cháy",
    "cơ sở dữ liệu dân cư (Đề án 06)",
)

OUTCOMES = (
    "Báo cáo kết quả gửi UBND thành phố",
    "Kế hoạch được phê duyệt",
    "Danh mục rà soát kèm kiến nghị",
    "Quyết định ban hành",
    "Cơ sở dữ liệu được cập nhật",
)

STEPS = (
    "Xây dựng kế hoạch chi tiết, phân công cán bộ",
    "Tổ chức rà soát, thu thập số liệu",
    "Tổng hợp, dự thảo báo cáo",
    "Lấy ý kiến các đơn vị phối hợp",
    "Hoàn thiện, trình lãnh đạo ký ban hành",
)

NARRATIVES = (
    "Đã xây dựng kế hoạch và phân công cán bộ thực hiện.",
    "Đã hoàn thành rà soát tại các đơn vị trực thuộc.",
    "Đang tổng hợp số liệu, dự thảo báo cáo.",
    "Đã lấy ý kiến các đơn vị phối hợp, đang hoàn thiện.",
)

REASONS = (
    "Chờ số liệu của đơn vị phối hợp",
    "Khối lượng hồ sơ lớn hơn dự kiến",
    "Cần xin ý kiến cơ quan cấp trên",
)
