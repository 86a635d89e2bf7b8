"""The Hà Nội demo's catalogue: units, people, fields, logins, directive documents, task
templates, what people write, the mix of task stories and the office's process templates.

Data only: nothing here reads or writes the database or calls a service. The story engine
(``stories``, with ``world`` and ``playback``) turns this catalogue into a year of history
through the application's services.

People in the demo are fictional; units and directive documents are the city's real ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from tracker.org.models import Role, UnitKind
from tracker.tasks.models import Priority

DEMO_PASSWORD = "demo-5ro-2026"
CITY_CODE = "UBND-HN"
# Kế hoạch 171-KH/TU: any fixed number will do, this one is easy to remember.
SEED = 171
# Tasks are spread over about a year of working days; the organisation predates them.
ORG_SETUP_DAYS_AGO = 420

K = UnitKind
# Shorthands for the roles in PEOPLE (the inspector's username is playback.INSPECTOR).
ADMIN, ASSIGNER, LEADER, HEAD, STAFF, INSPECTOR = (
    Role.ADMIN,
    Role.ASSIGNER,
    Role.LEADER,
    Role.UNIT_HEAD,
    Role.STAFF,
    Role.INSPECTOR,
)

# ---------------------------------------------------------------- organisation

# (code, name, kind, parent code)
UNITS: tuple[tuple[str, str, UnitKind, str | None], ...] = (
    ("UBND-HN", "UBND thành phố Hà Nội", K.CITY, None),
    ("VP-UBND", "Văn phòng UBND thành phố", K.OFFICE, "UBND-HN"),
    ("SNV", "Sở Nội vụ", K.DEPARTMENT, "UBND-HN"),
    ("STP", "Sở Tư pháp", K.DEPARTMENT, "UBND-HN"),
    ("STC", "Sở Tài chính", K.DEPARTMENT, "UBND-HN"),
    ("STTTT", "Sở Thông tin và Truyền thông", K.DEPARTMENT, "UBND-HN"),
    ("TTTP", "Thanh tra thành phố", K.DEPARTMENT, "UBND-HN"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", K.DEPARTMENT, "UBND-HN"),
    ("SXD", "Sở Xây dựng", K.DEPARTMENT, "UBND-HN"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", K.DEPARTMENT, "UBND-HN"),
    ("SYT", "Sở Y tế", K.DEPARTMENT, "UBND-HN"),
    ("STNMT", "Sở Tài nguyên và Môi trường", K.DEPARTMENT, "UBND-HN"),
    ("SLDTBXH", "Sở Lao động – Thương binh và Xã hội", K.DEPARTMENT, "UBND-HN"),
    ("SVHTT", "Sở Văn hóa và Thể thao", K.DEPARTMENT, "UBND-HN"),
    ("SGTVT", "Sở Giao thông vận tải", K.DEPARTMENT, "UBND-HN"),
    ("SQHKT", "Sở Quy hoạch – Kiến trúc", K.DEPARTMENT, "UBND-HN"),
    ("Q-BADINH", "UBND quận Ba Đình", K.DISTRICT, "UBND-HN"),
    ("Q-HOANKIEM", "UBND quận Hoàn Kiếm", K.DISTRICT, "UBND-HN"),
    ("Q-DONGDA", "UBND quận Đống Đa", K.DISTRICT, "UBND-HN"),
    ("Q-HAIBATRUNG", "UBND quận Hai Bà Trưng", K.DISTRICT, "UBND-HN"),
    ("Q-CAUGIAY", "UBND quận Cầu Giấy", K.DISTRICT, "UBND-HN"),
    ("Q-THANHXUAN", "UBND quận Thanh Xuân", K.DISTRICT, "UBND-HN"),
    ("Q-TAYHO", "UBND quận Tây Hồ", K.DISTRICT, "UBND-HN"),
    ("Q-LONGBIEN", "UBND quận Long Biên", K.DISTRICT, "UBND-HN"),
    ("Q-HOANGMAI", "UBND quận Hoàng Mai", K.DISTRICT, "UBND-HN"),
    ("Q-HADONG", "UBND quận Hà Đông", K.DISTRICT, "UBND-HN"),
    ("H-HOAIDUC", "UBND huyện Hoài Đức", K.DISTRICT, "UBND-HN"),
    ("H-DONGANH", "UBND huyện Đông Anh", K.DISTRICT, "UBND-HN"),
    ("H-GIALAM", "UBND huyện Gia Lâm", K.DISTRICT, "UBND-HN"),
    ("H-SOCSON", "UBND huyện Sóc Sơn", K.DISTRICT, "UBND-HN"),
    ("TX-SONTAY", "UBND thị xã Sơn Tây", K.DISTRICT, "UBND-HN"),
    ("TT-TRAMTROI", "UBND thị trấn Trạm Trôi", K.COMMUNE, "H-HOAIDUC"),
    ("X-ANKHANH", "UBND xã An Khánh", K.COMMUNE, "H-HOAIDUC"),
    ("X-ANTHUONG", "UBND xã An Thượng", K.COMMUNE, "H-HOAIDUC"),
    ("X-DUCTHUONG", "UBND xã Đức Thượng", K.COMMUNE, "H-HOAIDUC"),
    ("X-KIMCHUNG", "UBND xã Kim Chung", K.COMMUNE, "H-HOAIDUC"),
    ("SNV-CCHC", "Phòng Cải cách hành chính – Sở Nội vụ", K.DIVISION, "SNV"),
    ("SNV-CCVC", "Phòng Công chức, viên chức – Sở Nội vụ", K.DIVISION, "SNV"),
    ("SNV-TCBM", "Phòng Tổ chức bộ máy – Sở Nội vụ", K.DIVISION, "SNV"),
    ("STTTT-CNTT", "Phòng Công nghệ thông tin – Sở Thông tin và Truyền thông", K.DIVISION, "STTTT"),
    ("HD-PNV", "Phòng Nội vụ huyện Hoài Đức", K.DIVISION, "H-HOAIDUC"),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công thành phố", K.PUBLIC_SERVICE, "VP-UBND"),
    (
        "STTTT-TTCNTT",
        "Trung tâm Công nghệ thông tin và Truyền thông Hà Nội",
        K.PUBLIC_SERVICE,
        "STTTT",
    ),
)

DEPARTMENTS = tuple(code for code, _, kind, _ in UNITS if kind == K.DEPARTMENT)
DISTRICTS = tuple(code for code, _, kind, _ in UNITS if kind == K.DISTRICT)
COMMUNES = tuple(code for code, _, kind, _ in UNITS if kind == K.COMMUNE)


class Person(NamedTuple):
    """A demo official: who they are, where they work, what they may do."""

    username: str
    full_name: str
    unit: str
    position: str
    roles: tuple[Role, ...]


# The first person listed in a unit is its head; later unit heads deputise for them.
PEOPLE: tuple[Person, ...] = (
    Person("ct.trung", "Trần Quốc Trung", "UBND-HN", "Chủ tịch UBND thành phố", (LEADER,)),
    Person("pct.ha", "Nguyễn Thị Thu Hà", "UBND-HN", "Phó Chủ tịch UBND thành phố", (LEADER,)),
    Person("pct.quang", "Lê Minh Quang", "UBND-HN", "Phó Chủ tịch UBND thành phố", (LEADER,)),
    Person("pct.tuan", "Phạm Anh Tuấn", "UBND-HN", "Phó Chủ tịch UBND thành phố", (LEADER,)),
    Person("pct.son", "Đỗ Hồng Sơn", "UBND-HN", "Phó Chủ tịch UBND thành phố", (LEADER,)),
    Person("pct.tuyet", "Vũ Thị Ánh Tuyết", "UBND-HN", "Phó Chủ tịch UBND thành phố", (LEADER,)),
    Person("vp.chanhvanphong", "Hoàng Văn Thắng", "VP-UBND", "Chánh Văn phòng", (HEAD,)),
    Person("vanphong", "Bùi Thị Hương", "VP-UBND", "Phó Chánh Văn phòng", (ASSIGNER,)),
    Person("vp.tonghop", "Ngô Đức Thịnh", "VP-UBND", "Trưởng phòng Tổng hợp", (ASSIGNER,)),
    Person(
        "vp.kstthc",
        "Đặng Thu Trang",
        "VP-UBND",
        "Chuyên viên Phòng Kiểm soát thủ tục hành chính",
        (ASSIGNER,),
    ),
    Person("quantri", "Lý Quang Huy", "VP-UBND", "Quản trị hệ thống", (ADMIN,)),
    Person("snv.giamdoc", "Phan Thanh Bình", "SNV", "Giám đốc Sở", (HEAD,)),
    Person("snv.phogiamdoc", "Trịnh Văn Lộc", "SNV", "Phó Giám đốc Sở", (HEAD,)),
    Person("snv.lan", "Nguyễn Thị Lan", "SNV", "Chuyên viên chính", (STAFF,)),
    Person("snv.hung", "Đào Mạnh Hùng", "SNV", "Chuyên viên", (STAFF,)),
    Person("snv.thanhtra", "Lương Thị Hồng Nhung", "SNV", "Chánh Thanh tra Sở", (INSPECTOR,)),
    Person(
        "snv.congvu",
        "Tạ Quang Vinh",
        "SNV",
        "Thanh tra viên – Đoàn kiểm tra công vụ thành phố",
        (INSPECTOR,),
    ),
    Person("stp.giamdoc", "Mai Thị Hạnh", "STP", "Giám đốc Sở", (HEAD,)),
    Person("stp.phogiamdoc", "Cao Văn Khải", "STP", "Phó Giám đốc Sở", (HEAD,)),
    Person("stp.ngoc", "Hồ Bảo Ngọc", "STP", "Chuyên viên", (STAFF,)),
    Person("stc.giamdoc", "Vương Đình Phúc", "STC", "Giám đốc Sở", (HEAD,)),
    Person("stc.phogiamdoc", "Kiều Thị Thanh Mai", "STC", "Phó Giám đốc Sở", (HEAD,)),
    Person("stc.phuong", "Lã Thị Phương", "STC", "Chuyên viên", (STAFF,)),
    Person("stttt.giamdoc", "Dương Hoàng Nam", "STTTT", "Giám đốc Sở", (HEAD,)),
    Person("stttt.phogiamdoc", "Chu Thị Kim Oanh", "STTTT", "Phó Giám đốc Sở", (HEAD,)),
    Person("stttt.minh", "Nguyễn Đức Minh", "STTTT", "Chuyên viên", (STAFF,)),
    Person("stttt.khanh", "Trần Ngọc Khánh", "STTTT", "Chuyên viên", (STAFF,)),
    Person("tttp.chanhthanhtra", "Quách Văn Toàn", "TTTP", "Chánh Thanh tra thành phố", (HEAD,)),
    Person("tttp.thanhtra", "Tống Thị Diệu Linh", "TTTP", "Thanh tra viên chính", (INSPECTOR,)),
    Person("skhdt.giamdoc", "Lại Thế Cường", "SKHDT", "Giám đốc Sở", (HEAD,)),
    Person("skhdt.hoa", "Phùng Thị Hoa", "SKHDT", "Chuyên viên", (STAFF,)),
    Person("sxd.giamdoc", "Đinh Công Thành", "SXD", "Giám đốc Sở", (HEAD,)),
    Person("sxd.dung", "Vi Văn Dũng", "SXD", "Chuyên viên", (STAFF,)),
    Person("sgddt.giamdoc", "Nghiêm Thị Thu Thủy", "SGDDT", "Giám đốc Sở", (HEAD,)),
    Person("syt.giamdoc", "Khúc Minh Đức", "SYT", "Giám đốc Sở", (HEAD,)),
    Person("stnmt.giamdoc", "Bạch Văn Tài", "STNMT", "Giám đốc Sở", (HEAD,)),
    Person("stnmt.hai", "Âu Thanh Hải", "STNMT", "Chuyên viên", (STAFF,)),
    Person("sldtbxh.giamdoc", "Doãn Thị Nga", "SLDTBXH", "Giám đốc Sở", (HEAD,)),
    Person("svhtt.giamdoc", "Mạc Đăng Khoa", "SVHTT", "Giám đốc Sở", (HEAD,)),
    Person("sgtvt.giamdoc", "Hà Văn Tiến", "SGTVT", "Giám đốc Sở", (HEAD,)),
    Person("sqhkt.giamdoc", "Thái Thị Hoài An", "SQHKT", "Giám đốc Sở", (HEAD,)),
    Person("badinh.chutich", "Nguyễn Văn Hòa", "Q-BADINH", "Chủ tịch UBND quận", (HEAD,)),
    Person("badinh.phochutich", "Lê Thị Hải Yến", "Q-BADINH", "Phó Chủ tịch UBND quận", (HEAD,)),
    Person("badinh.linh", "Phạm Thùy Linh", "Q-BADINH", "Chuyên viên", (STAFF,)),
    Person("hoankiem.chutich", "Trần Đức Long", "Q-HOANKIEM", "Chủ tịch UBND quận", (HEAD,)),
    Person("dongda.chutich", "Vũ Mạnh Cường", "Q-DONGDA", "Chủ tịch UBND quận", (HEAD,)),
    Person("dongda.phochutich", "Hoàng Thị Mỹ Dung", "Q-DONGDA", "Phó Chủ tịch UBND quận", (HEAD,)),
    Person("dongda.quynh", "Đỗ Như Quỳnh", "Q-DONGDA", "Chuyên viên", (STAFF,)),
    Person("haibatrung.chutich", "Phan Đức Thiện", "Q-HAIBATRUNG", "Chủ tịch UBND quận", (HEAD,)),
    Person("caugiay.chutich", "Ngô Thị Bích Hằng", "Q-CAUGIAY", "Chủ tịch UBND quận", (HEAD,)),
    Person("caugiay.duc", "Lê Anh Đức", "Q-CAUGIAY", "Chuyên viên", (STAFF,)),
    Person("thanhxuan.chutich", "Trương Văn Phong", "Q-THANHXUAN", "Chủ tịch UBND quận", (HEAD,)),
    Person("tayho.chutich", "Đoàn Thị Ngọc Lan", "Q-TAYHO", "Chủ tịch UBND quận", (HEAD,)),
    Person("longbien.chutich", "Nguyễn Quang Vinh", "Q-LONGBIEN", "Chủ tịch UBND quận", (HEAD,)),
    Person("hoangmai.chutich", "Bùi Đức Hiếu", "Q-HOANGMAI", "Chủ tịch UBND quận", (HEAD,)),
    Person("hadong.chutich", "Lưu Thị Thanh Hương", "Q-HADONG", "Chủ tịch UBND quận", (HEAD,)),
    Person("hadong.nam", "Trịnh Hoài Nam", "Q-HADONG", "Chuyên viên", (STAFF,)),
    Person("hoaiduc.chutich", "Nguyễn Văn Khiêm", "H-HOAIDUC", "Chủ tịch UBND huyện", (HEAD,)),
    Person(
        "hoaiduc.phochutich", "Đặng Thị Thu Hòa", "H-HOAIDUC", "Phó Chủ tịch UBND huyện", (HEAD,)
    ),
    Person("hoaiduc.thao", "Nguyễn Phương Thảo", "H-HOAIDUC", "Chuyên viên", (STAFF,)),
    Person("hoaiduc.tien", "Kim Văn Tiến", "H-HOAIDUC", "Chuyên viên", (STAFF,)),
    Person("donganh.chutich", "Tô Văn Mạnh", "H-DONGANH", "Chủ tịch UBND huyện", (HEAD,)),
    Person("gialam.chutich", "Lò Thị Hạnh", "H-GIALAM", "Chủ tịch UBND huyện", (HEAD,)),
    Person("socson.chutich", "Giáp Văn Hưng", "H-SOCSON", "Chủ tịch UBND huyện", (HEAD,)),
    Person("sontay.chutich", "Khổng Minh Tâm", "TX-SONTAY", "Chủ tịch UBND thị xã", (HEAD,)),
    Person(
        "tramtroi.chutich", "Nguyễn Hữu Nghĩa", "TT-TRAMTROI", "Chủ tịch UBND thị trấn", (HEAD,)
    ),
    Person("ankhanh.chutich", "Phí Văn Thuận", "X-ANKHANH", "Chủ tịch UBND xã", (HEAD,)),
    Person(
        "ankhanh.vy", "Nguyễn Tường Vy", "X-ANKHANH", "Công chức Văn phòng – Thống kê", (STAFF,)
    ),
    Person("anthuong.chutich", "Đỗ Thị Xuân", "X-ANTHUONG", "Chủ tịch UBND xã", (HEAD,)),
    Person("ducthuong.chutich", "Vương Văn Lực", "X-DUCTHUONG", "Chủ tịch UBND xã", (HEAD,)),
    Person("kimchung.chutich", "Nguyễn Thị Huệ", "X-KIMCHUNG", "Chủ tịch UBND xã", (HEAD,)),
    Person("snv-cchc.truongphong", "Lê Quốc Bảo", "SNV-CCHC", "Trưởng phòng", (HEAD,)),
    Person("snv-cchc.trang", "Hà Thu Trang", "SNV-CCHC", "Chuyên viên", (STAFF,)),
    Person("snv-ccvc.truongphong", "Phạm Thị Ngân", "SNV-CCVC", "Trưởng phòng", (HEAD,)),
    Person("snv-tcbm.truongphong", "Vũ Đình Khang", "SNV-TCBM", "Trưởng phòng", (HEAD,)),
    Person("stttt-cntt.truongphong", "Hoàng Minh Tú", "STTTT-CNTT", "Trưởng phòng", (HEAD,)),
    Person("hd-pnv.truongphong", "Nguyễn Thị Thanh Tâm", "HD-PNV", "Trưởng phòng Nội vụ", (HEAD,)),
    Person("ttpvhcc.giamdoc", "Đinh Thị Lệ Thu", "TTPVHCC", "Giám đốc Trung tâm", (HEAD,)),
    Person("ttcntt.giamdoc", "Cù Huy Hoàng", "STTTT-TTCNTT", "Giám đốc Trung tâm", (HEAD,)),
)

# (code, name, supervising leader)
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("CCHC", "Cải cách hành chính", "pct.ha"),
    ("CDS", "Chuyển đổi số", "pct.quang"),
    ("TCNS", "Tài chính – ngân sách", "pct.tuan"),
    ("DTXD", "Đô thị – xây dựng", "pct.son"),
    ("TNMT", "Tài nguyên – môi trường", "pct.son"),
    ("VHXH", "Văn hoá – xã hội", "pct.tuyet"),
    ("NC", "Nội chính", "ct.trung"),
)

LOGINS: tuple[tuple[str, str], ...] = (
    ("quantri", "Quản trị hệ thống – đơn vị, người dùng, lịch làm việc"),
    ("vanphong", "Văn phòng UBND TP – giao việc, gia hạn, đánh giá kết quả"),
    ("pct.ha", "Phó Chủ tịch UBND TP – phụ trách cải cách hành chính"),
    ("snv.giamdoc", "Giám đốc Sở Nội vụ – thủ trưởng đơn vị chủ trì"),
    ("hoaiduc.chutich", "Chủ tịch UBND huyện Hoài Đức – thủ trưởng đơn vị"),
    ("hoaiduc.thao", "Chuyên viên UBND huyện Hoài Đức – thực hiện nhiệm vụ"),
    ("stttt.minh", "Chuyên viên Sở Thông tin và Truyền thông – thực hiện nhiệm vụ"),
    ("snv.thanhtra", "Thanh tra Sở Nội vụ – giám sát, xem xét trách nhiệm"),
)

# ---------------------------------------------------------------- directive documents

UBND_TP = "UBND thành phố Hà Nội"


class Document(NamedTuple):
    """A directive document the demo registers."""

    key: str
    number: str
    kind: str
    issuer: str
    summary: str
    issued_on: date | None = None  # a real document's date
    days_ago: int = 0  # or, for a recent one, how long before today it was issued


DOCUMENTS: tuple[Document, ...] = (
    Document(
        "QD4610",
        "4610/QĐ-UBND",
        "Quyết định",
        UBND_TP,
        "Ủy quyền giải quyết thủ tục hành chính thuộc thẩm quyền của UBND thành phố.",
        issued_on=date(2022, 11, 22),
    ),
    Document(
        "NQ18",
        "18-NQ/TU",
        "Nghị quyết",
        "Thành ủy Hà Nội",
        "Chuyển đổi số, xây dựng thành phố Hà Nội thông minh đến năm 2025, "
        "định hướng đến năm 2030.",
        issued_on=date(2022, 12, 30),
    ),
    Document(
        "KH61",
        "61/KH-UBND",
        "Kế hoạch",
        UBND_TP,
        "Kiểm tra công tác cải cách hành chính năm 2023.",
        issued_on=date(2023, 3, 1),
    ),
    Document(
        "KH171",
        "171-KH/TU",
        "Kế hoạch",
        "Thành ủy Hà Nội",
        "Tăng cường kỷ luật, kỷ cương và trách nhiệm giải quyết công việc trong hệ thống "
        "chính trị thành phố.",
        issued_on=date(2023, 8, 17),
    ),
    # The press report gives no date for Công văn 3073; it followed Kế hoạch 171 within weeks.
    Document(
        "CV3073",
        "3073/UBND-NC",
        "Công văn",
        UBND_TP,
        "Triển khai Kế hoạch 171-KH/TU: cá thể hóa trách nhiệm theo nguyên tắc “5 rõ”, "
        "rà soát chức năng nhiệm vụ, chuyển đổi vị trí công tác.",
        issued_on=date(2023, 9, 6),
    ),
    Document(
        "QD-DUTOAN",
        "5120/QĐ-UBND",
        "Quyết định",
        UBND_TP,
        "Giao dự toán thu, chi ngân sách năm {year} của thành phố.",
        days_ago=330,
    ),
    Document(
        "KH-CCHC",
        "15/KH-UBND",
        "Kế hoạch",
        UBND_TP,
        "Cải cách hành chính năm {year} của thành phố Hà Nội.",
        days_ago=320,
    ),
    Document(
        "KH-CDS",
        "28/KH-UBND",
        "Kế hoạch",
        UBND_TP,
        "Chuyển đổi số, phát triển chính quyền số và bảo đảm an toàn thông tin năm {year}.",
        days_ago=300,
    ),
    Document(
        "CT-GIAINGAN",
        "09/CT-UBND",
        "Chỉ thị",
        UBND_TP,
        "Đẩy nhanh tiến độ giải ngân vốn đầu tư công năm {year}.",
        days_ago=200,
    ),
    Document(
        "KH-MOITRUONG",
        "196/KH-UBND",
        "Kế hoạch",
        UBND_TP,
        "Phân loại chất thải rắn sinh hoạt tại nguồn năm {year}.",
        days_ago=150,
    ),
    Document(
        "CV-SOHOA",
        "2150/UBND-KSTTHC",
        "Công văn",
        UBND_TP,
        "Đẩy mạnh số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.",
        days_ago=120,
    ),
    Document(
        "TB-KETLUAN",
        "412/TB-VP",
        "Thông báo",
        "Văn phòng UBND thành phố",
        "Kết luận của Chủ tịch UBND thành phố tại hội nghị giao ban công tác quý.",
        days_ago=60,
    ),
)

# ---------------------------------------------------------------- task templates

UNIT_PLACEHOLDER = "SUBJECT"  # in a template's coordinating units: the unit being checked


@dataclass(frozen=True)
class Template:
    """A kind of task the city hands out; {unit}, {area}, {subject}, {period}, {year} and
    {school_year} are filled in per task."""

    field: str
    document: str
    leads: tuple[str, ...]
    title: str
    description: str
    outcome: str
    target: str
    steps: tuple[str, ...]
    result: str
    coordinating: tuple[tuple[str, str], ...] = ()
    subjects: tuple[str, ...] = ()
    milestones: tuple[str, str] = (
        "Hoàn thành rà soát, khảo sát hiện trạng",
        "Hoàn thành dự thảo sản phẩm, lấy ý kiến đơn vị phối hợp",
    )
    priority: Priority = Priority.NORMAL


_SECTORS = ("STP", "SXD", "STNMT", "SKHDT", "SLDTBXH", "SGTVT", "SYT", "SGDDT", "SVHTT")
_PUBLIC_SERVICE_OWNERS = ("SYT", "SGDDT", "SLDTBXH", "SVHTT")
_RURAL = ("H-HOAIDUC", "H-DONGANH", "H-GIALAM", "H-SOCSON", "TX-SONTAY", "Q-HADONG", "Q-LONGBIEN")
_OLD_QUARTERS = ("Q-BADINH", "Q-DONGDA", "Q-HAIBATRUNG", "Q-HOANKIEM", "Q-THANHXUAN")

TEMPLATES: tuple[Template, ...] = (
    Template(
        field="CCHC",
        document="QD4610",
        leads=("STP", "STNMT", "SXD", "SKHDT", "SLDTBXH", "SGTVT", "SYT"),
        title=(
            "Đánh giá kết quả ủy quyền giải quyết thủ tục hành chính theo Quyết định 4610/QĐ-UBND "
            "tại {unit}"
        ),
        description=(
            "Thống kê các thủ tục hành chính thuộc lĩnh vực {unit} quản lý đã được ủy quyền theo "
            "Quyết định 4610/QĐ-UBND ngày 22/11/2022; đánh giá số hồ sơ tiếp nhận, tỷ lệ giải "
            "quyết đúng hạn, vướng mắc phát sinh và hiệu quả của phương án ủy quyền để đề xuất "
            "tiếp tục, điều chỉnh hoặc chấm dứt."
        ),
        outcome=(
            "Báo cáo đánh giá kết quả ủy quyền kèm danh mục thủ tục đề xuất tiếp tục, điều chỉnh "
            "hoặc chấm dứt ủy quyền."
        ),
        target=(
            "100% thủ tục đã ủy quyền có số liệu hồ sơ và tỷ lệ giải quyết đúng hạn; mỗi đề xuất "
            "điều chỉnh nêu rõ căn cứ pháp lý."
        ),
        steps=(
            "Lập danh mục thủ tục đã ủy quyền, trích xuất số liệu hồ sơ từ Hệ thống thông tin "
            "giải quyết TTHC thành phố",
            "Làm việc với các đơn vị được ủy quyền để xác định vướng mắc",
            "Dự thảo báo cáo, lấy ý kiến Sở Tư pháp về phương án điều chỉnh",
            "Hoàn thiện báo cáo, trình lãnh đạo đơn vị ký gửi UBND thành phố",
        ),
        result=(
            "Đã gửi UBND thành phố báo cáo đánh giá: các thủ tục ủy quyền được giải quyết đúng hạn "
            "trên 98%; đề xuất tiếp tục ủy quyền phần lớn thủ tục, điều chỉnh các thủ tục còn "
            "vướng mắc về thẩm quyền."
        ),
        coordinating=(
            ("STP", "Góp ý cơ sở pháp lý của phương án tiếp tục hoặc điều chỉnh ủy quyền"),
            ("TTPVHCC", "Cung cấp số liệu hồ sơ tiếp nhận tại Trung tâm Phục vụ hành chính công"),
        ),
    ),
    Template(
        field="CCHC",
        document="CV3073",
        leads=DISTRICTS + COMMUNES,
        title="Rà soát, niêm yết công khai thủ tục hành chính tại Bộ phận Một cửa {unit}",
        description=(
            "Rà soát toàn bộ thủ tục hành chính đang tiếp nhận tại Bộ phận Một cửa {unit}; cập "
            "nhật các thủ tục mới công bố, gỡ bỏ thủ tục đã bãi bỏ; niêm yết đúng mẫu và công khai "
            "mã QR tra cứu trên Cổng Dịch vụ công."
        ),
        outcome=(
            "Danh mục thủ tục hành chính đã cập nhật và bảng niêm yết công khai đúng quy định tại "
            "Bộ phận Một cửa."
        ),
        target=(
            "100% thủ tục đang tiếp nhận được niêm yết đúng, đủ, kịp thời; không còn thủ tục hết "
            "hiệu lực trên bảng niêm yết."
        ),
        steps=(
            "Đối chiếu danh mục thủ tục đang niêm yết với các quyết định công bố còn hiệu lực",
            "Cập nhật, thay thế nội dung niêm yết và mã QR tra cứu",
            "Kiểm tra thực tế tại Bộ phận Một cửa, lập biên bản",
            "Báo cáo kết quả về Văn phòng UBND thành phố",
        ),
        result=(
            "Đã rà soát, cập nhật và niêm yết lại toàn bộ thủ tục đang tiếp nhận; gỡ bỏ các thủ "
            "tục đã bãi bỏ; biên bản kiểm tra gửi kèm báo cáo."
        ),
        coordinating=(
            (
                "VP-UBND",
                "Hướng dẫn nghiệp vụ kiểm soát thủ tục hành chính, cung cấp danh mục "
                "thủ tục đã công bố",
            ),
        ),
    ),
    Template(
        field="CDS",
        document="CV-SOHOA",
        leads=DISTRICTS,
        title="Đẩy mạnh số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại {unit}",
        description=(
            "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính ngay khi tiếp nhận và trả kết quả "
            "tại {unit} và UBND các xã, phường, thị trấn trực thuộc; đồng bộ kết quả số hóa lên "
            "kho dữ liệu của thành phố để người dân không phải nộp lại giấy tờ đã cung cấp."
        ),
        outcome="Kho hồ sơ điện tử được cập nhật và báo cáo tỷ lệ số hóa theo từng lĩnh vực.",
        target=(
            "Tỷ lệ số hóa hồ sơ, kết quả giải quyết thủ tục hành chính đạt từ 90% trở lên; 100% "
            "kết quả còn hiệu lực được đồng bộ lên kho dữ liệu."
        ),
        steps=(
            "Rà soát số hồ sơ chưa số hóa theo từng lĩnh vực",
            "Bố trí nhân lực, thiết bị số hóa tại Bộ phận Một cửa cấp huyện và cấp xã",
            "Số hóa và ký số kết quả, đồng bộ lên kho dữ liệu thành phố",
            "Đối soát số liệu với Sở Thông tin và Truyền thông, báo cáo kết quả",
        ),
        result=(
            "Tỷ lệ số hóa hồ sơ, kết quả giải quyết thủ tục hành chính đạt trên 90%; toàn bộ kết "
            "quả còn hiệu lực đã được đồng bộ lên kho dữ liệu thành phố."
        ),
        coordinating=(
            ("STTTT", "Hỗ trợ kỹ thuật kết nối kho dữ liệu và cung cấp số liệu đối soát"),
        ),
        priority=Priority.HIGH,
    ),
    Template(
        field="CCHC",
        document="KH-CCHC",
        leads=("SNV",),
        title="Kiểm tra công tác cải cách hành chính năm {year} tại {subject}",
        description=(
            "Kiểm tra việc triển khai các nhiệm vụ cải cách hành chính, kết quả khắc phục tồn tại "
            "đã chỉ ra qua chỉ số cải cách hành chính năm trước và qua các đợt kiểm tra công vụ "
            "tại {subject}."
        ),
        outcome=(
            "Thông báo kết quả kiểm tra, chỉ rõ tồn tại, hạn chế và trách nhiệm khắc phục của "
            "{subject}."
        ),
        target=(
            "Kiểm tra đủ 7 nội dung cải cách hành chính; thông báo kết quả trong 10 ngày làm việc "
            "sau buổi kiểm tra; 100% tồn tại có thời hạn khắc phục."
        ),
        steps=(
            "Ban hành quyết định thành lập Đoàn kiểm tra và thông báo lịch kiểm tra",
            "Nghiên cứu báo cáo tự kiểm tra của đơn vị",
            "Kiểm tra trực tiếp tại trụ sở và Bộ phận Một cửa",
            "Ban hành thông báo kết quả kiểm tra, theo dõi việc khắc phục",
        ),
        result=(
            "Đã kiểm tra trực tiếp và ban hành thông báo kết quả; chỉ ra các tồn tại về niêm yết "
            "thủ tục và số hóa hồ sơ, giao đơn vị khắc phục trong 30 ngày."
        ),
        coordinating=(
            (
                UNIT_PLACEHOLDER,
                "Chuẩn bị báo cáo tự kiểm tra, hồ sơ, tài liệu và bố trí làm "
                "việc với Đoàn kiểm tra",
            ),
            ("TTTP", "Cử thành viên tham gia Đoàn kiểm tra"),
            ("STP", "Cử thành viên kiểm tra nội dung cải cách thể chế"),
        ),
        subjects=DISTRICTS,
    ),
    Template(
        field="CCHC",
        document="KH-CCHC",
        leads=DEPARTMENTS + DISTRICTS,
        title="Xây dựng kế hoạch khắc phục hạn chế chỉ số cải cách hành chính của {unit}",
        description=(
            "Phân tích kết quả chỉ số cải cách hành chính (PAR INDEX) và điểm điều tra xã hội học "
            "của {unit}; xác định tiêu chí, tiêu chí thành phần bị mất điểm, nguyên nhân và giải "
            "pháp khắc phục, giao rõ người, rõ việc cho từng tiêu chí."
        ),
        outcome=(
            "Kế hoạch khắc phục được ban hành, kèm bảng phân công theo từng tiêu chí chỉ số cải "
            "cách hành chính."
        ),
        target=(
            "100% tiêu chí bị mất điểm có giải pháp, người chịu trách nhiệm và thời hạn; chỉ số "
            "năm nay không thấp hơn năm trước."
        ),
        steps=(
            "Phân tích điểm từng tiêu chí, tiêu chí thành phần so với năm trước",
            "Tổ chức họp xác định nguyên nhân, giải pháp khắc phục",
            "Ban hành kế hoạch và bảng phân công",
            "Gửi kế hoạch về Sở Nội vụ để theo dõi",
        ),
        result=(
            "Đã ban hành kế hoạch khắc phục; mỗi tiêu chí bị mất điểm có cán bộ đầu mối và thời "
            "hạn, đã gửi Sở Nội vụ theo dõi."
        ),
        coordinating=(
            ("SNV", "Hướng dẫn phương pháp chấm điểm, cung cấp kết quả chi tiết của chỉ số"),
        ),
    ),
    Template(
        field="NC",
        document="CV3073",
        leads=("VP-UBND",),
        title=(
            "Rà soát, sửa đổi Quy chế làm việc của UBND thành phố theo hướng rõ trách nhiệm, rõ "
            "thẩm quyền"
        ),
        description=(
            "Rà soát Quy chế làm việc của UBND thành phố; bổ sung nguyên tắc những nội dung phải "
            "bàn tập thể, trách nhiệm của từng Phó Chủ tịch đối với lĩnh vực được phân công và quy "
            "trình theo dõi, đôn đốc nhiệm vụ do UBND thành phố giao."
        ),
        outcome="Dự thảo Quyết định sửa đổi, bổ sung Quy chế làm việc trình UBND thành phố.",
        target=(
            "Quy chế xác định rõ thẩm quyền, trách nhiệm và thời hạn xử lý cho 100% loại việc; "
            "trình UBND thành phố đúng hạn."
        ),
        steps=(
            "Tổng hợp vướng mắc trong thực hiện Quy chế hiện hành",
            "Xây dựng dự thảo, lấy ý kiến các sở, ngành và UBND quận, huyện, thị xã",
            "Gửi Sở Tư pháp thẩm định dự thảo",
            "Hoàn thiện, trình UBND thành phố ban hành",
        ),
        result=(
            "Đã trình UBND thành phố dự thảo Quyết định sửa đổi Quy chế làm việc kèm báo cáo thẩm "
            "định của Sở Tư pháp."
        ),
        coordinating=(
            ("STP", "Thẩm định dự thảo quyết định"),
            ("SNV", "Góp ý việc phân định trách nhiệm, thẩm quyền"),
        ),
        priority=Priority.HIGH,
    ),
    Template(
        field="NC",
        document="KH171",
        leads=DEPARTMENTS + DISTRICTS,
        title=(
            "Ban hành quy định cá thể hóa trách nhiệm người đứng đầu trong thực hiện nhiệm vụ được "
            "giao tại {unit}"
        ),
        description=(
            "Cụ thể hóa Kế hoạch 171-KH/TU: mỗi nhiệm vụ UBND thành phố giao cho {unit} được phân "
            "công đến một lãnh đạo phụ trách và một công chức đầu mối, bảo đảm rõ người, rõ việc, "
            "rõ tiến độ, rõ hiệu quả, rõ trách nhiệm."
        ),
        outcome=(
            "Quy định phân công, cá thể hóa trách nhiệm và danh mục nhiệm vụ đã giao đến từng cá "
            "nhân."
        ),
        target=(
            "100% nhiệm vụ đang thực hiện có một cá nhân chịu trách nhiệm chính và hạn hoàn thành "
            "cụ thể."
        ),
        steps=(
            "Rà soát danh mục nhiệm vụ đang thực hiện của đơn vị",
            "Phân công lãnh đạo phụ trách và công chức đầu mối cho từng nhiệm vụ",
            "Ban hành quy định và công khai trong đơn vị",
            "Cập nhật phân công lên hệ thống theo dõi nhiệm vụ",
        ),
        result=(
            "Đã ban hành quy định; toàn bộ nhiệm vụ đang thực hiện được giao đến một công chức đầu "
            "mối và cập nhật lên hệ thống."
        ),
        coordinating=(
            ("SNV", "Theo dõi, tổng hợp việc cá thể hóa trách nhiệm phục vụ đánh giá cán bộ"),
        ),
    ),
    Template(
        field="CCHC",
        document="CV3073",
        leads=DEPARTMENTS,
        title="Rà soát chức năng, nhiệm vụ và đề án vị trí việc làm của {unit}",
        description=(
            "Rà soát chức năng, nhiệm vụ, cơ cấu tổ chức của {unit}, khắc phục tình trạng bỏ sót "
            "hoặc chồng chéo nhiệm vụ; cập nhật đề án vị trí việc làm và bố trí công chức, viên "
            "chức theo vị trí việc làm."
        ),
        outcome="Báo cáo rà soát và đề án vị trí việc làm điều chỉnh trình cấp có thẩm quyền.",
        target=(
            "Không còn nhiệm vụ chồng chéo chưa được xử lý; 100% công chức được bố trí đúng vị trí "
            "việc làm."
        ),
        steps=(
            "Thống kê chức năng, nhiệm vụ theo văn bản quy định hiện hành",
            "Đối chiếu với các sở, ngành liên quan để xác định nhiệm vụ chồng chéo",
            "Dự thảo đề án vị trí việc làm điều chỉnh",
            "Gửi Sở Nội vụ thẩm định, trình UBND thành phố",
        ),
        result=(
            "Đã hoàn thành rà soát, đề xuất điều chỉnh các nhiệm vụ chồng chéo và gửi đề án vị trí "
            "việc làm cho Sở Nội vụ thẩm định."
        ),
        coordinating=(("SNV", "Thẩm định đề án vị trí việc làm và biên chế"),),
    ),
    Template(
        field="CCHC",
        document="KH-CCHC",
        leads=DEPARTMENTS + DISTRICTS,
        title=(
            "Xây dựng quy trình nội bộ giải quyết thủ tục hành chính theo tiêu chuẩn ISO tại {unit}"
        ),
        description=(
            "Xây dựng, ban hành quy trình nội bộ, quy trình điện tử giải quyết từng thủ tục hành "
            "chính thuộc thẩm quyền của {unit} theo tiêu chuẩn TCVN ISO 9001:2015, xác định rõ "
            "bước, người thực hiện và thời gian của từng bước."
        ),
        outcome=(
            "Bộ quy trình nội bộ được ban hành và cấu hình trên Hệ thống thông tin giải quyết thủ "
            "tục hành chính."
        ),
        target=(
            "100% thủ tục thuộc thẩm quyền có quy trình nội bộ; thời gian từng bước không vượt "
            "tổng thời hạn luật định."
        ),
        steps=(
            "Lập danh mục thủ tục cần xây dựng quy trình",
            "Dự thảo quy trình nội bộ theo mẫu ISO, lấy ý kiến bộ phận chuyên môn",
            "Trình lãnh đạo đơn vị ban hành",
            "Cấu hình quy trình điện tử trên Hệ thống thông tin giải quyết thủ tục hành chính",
        ),
        result=(
            "Đã ban hành bộ quy trình nội bộ cho toàn bộ thủ tục thuộc thẩm quyền và cấu hình xong "
            "trên hệ thống."
        ),
        coordinating=(
            ("STTTT", "Hỗ trợ cấu hình quy trình điện tử trên hệ thống"),
            ("VP-UBND", "Hướng dẫn nghiệp vụ kiểm soát thủ tục hành chính"),
        ),
    ),
    Template(
        field="NC",
        document="CV3073",
        leads=DEPARTMENTS + DISTRICTS,
        title=(
            "Xây dựng kế hoạch chuyển đổi vị trí công tác đối với công chức trực tiếp giải quyết "
            "thủ tục hành chính của {unit}"
        ),
        description=(
            "Rà soát công chức, viên chức giữ vị trí liên quan đến giải quyết thủ tục hành chính, "
            "tiếp xúc trực tiếp với người dân, doanh nghiệp; lập kế hoạch chuyển đổi định kỳ không "
            "quá 5 năm theo chỉ đạo của UBND thành phố."
        ),
        outcome=(
            "Kế hoạch chuyển đổi vị trí công tác kèm danh sách công chức thuộc diện chuyển đổi."
        ),
        target=(
            "100% công chức giữ vị trí đủ 5 năm được đưa vào kế hoạch; không để gián đoạn giải "
            "quyết hồ sơ khi chuyển đổi."
        ),
        steps=(
            "Thống kê thời gian giữ vị trí của từng công chức",
            "Xây dựng phương án chuyển đổi và bàn giao công việc",
            "Ban hành kế hoạch, thông báo đến công chức",
            "Báo cáo Sở Nội vụ kết quả thực hiện",
        ),
        result=(
            "Đã ban hành kế hoạch chuyển đổi; các công chức đủ thời hạn đã được bố trí vị trí mới, "
            "việc giải quyết hồ sơ không bị gián đoạn."
        ),
        coordinating=(
            ("SNV", "Hướng dẫn danh mục vị trí phải chuyển đổi, theo dõi việc thực hiện"),
        ),
    ),
    Template(
        field="NC",
        document="KH171",
        leads=("TTTP",),
        title=(
            "Thanh tra trách nhiệm thủ trưởng trong chấp hành kỷ luật, kỷ cương hành chính tại "
            "{subject}"
        ),
        description=(
            "Thanh tra trách nhiệm của thủ trưởng {subject} trong chấp hành kỷ luật, kỷ cương hành "
            "chính, giải quyết công việc của người dân, doanh nghiệp và thực hiện nhiệm vụ được "
            "UBND thành phố giao."
        ),
        outcome="Kết luận thanh tra, kiến nghị xử lý trách nhiệm (nếu có).",
        target=(
            "Ban hành kết luận trong thời hạn luật định; 100% kiến nghị có địa chỉ và thời hạn "
            "thực hiện."
        ),
        steps=(
            "Ban hành quyết định thanh tra và kế hoạch tiến hành thanh tra",
            "Làm việc trực tiếp, thu thập hồ sơ, tài liệu",
            "Dự thảo kết luận, lấy ý kiến giải trình của đơn vị",
            "Ban hành kết luận và theo dõi thực hiện kiến nghị",
        ),
        result=(
            "Đã ban hành kết luận thanh tra; kiến nghị kiểm điểm trách nhiệm đối với các trường "
            "hợp chậm giải quyết hồ sơ đã bị nhắc nhở."
        ),
        coordinating=(
            (
                UNIT_PLACEHOLDER,
                "Cung cấp hồ sơ, tài liệu và giải trình theo yêu cầu của Đoàn thanh tra",
            ),
            ("SNV", "Phối hợp đánh giá trách nhiệm cán bộ, đề xuất hình thức xử lý"),
        ),
        subjects=DEPARTMENTS + DISTRICTS,
    ),
    Template(
        field="NC",
        document="KH171",
        leads=("SNV",),
        title="Tổng hợp báo cáo kết quả thực hiện Kế hoạch 171-KH/TU {period}",
        description=(
            "Tổng hợp kết quả thực hiện Kế hoạch 171-KH/TU của Thành ủy về tăng cường kỷ luật, kỷ "
            "cương và trách nhiệm giải quyết công việc từ báo cáo của các sở, ngành, UBND quận, "
            "huyện, thị xã; nêu rõ các trường hợp chậm muộn và đề xuất xử lý."
        ),
        outcome="Báo cáo tổng hợp {period} trình UBND thành phố để báo cáo Thành ủy.",
        target=(
            "Tổng hợp đủ 100% đơn vị; báo cáo nêu đích danh đơn vị, cá nhân chậm thực hiện nhiệm "
            "vụ."
        ),
        steps=(
            "Ban hành đề cương, đôn đốc các đơn vị gửi báo cáo",
            "Tổng hợp số liệu, đối chiếu với dữ liệu theo dõi nhiệm vụ",
            "Dự thảo báo cáo, trình lãnh đạo Sở",
            "Gửi UBND thành phố qua Văn phòng UBND thành phố",
        ),
        result=(
            "Đã gửi báo cáo tổng hợp {period}; nêu rõ các đơn vị có nhiệm vụ quá hạn và kiến nghị "
            "kiểm điểm trách nhiệm."
        ),
        coordinating=(
            ("VP-UBND", "Cung cấp số liệu nhiệm vụ chậm muộn từ hệ thống theo dõi nhiệm vụ"),
        ),
    ),
    Template(
        field="CCHC",
        document="KH-CCHC",
        leads=("SNV-CCHC",),
        title="Báo cáo công tác cải cách hành chính {period} của thành phố",
        description=(
            "Tổng hợp kết quả thực hiện Kế hoạch cải cách hành chính năm {year} của thành phố theo "
            "7 nội dung, gửi Bộ Nội vụ theo chế độ báo cáo định kỳ."
        ),
        outcome="Báo cáo công tác cải cách hành chính {period} kèm phụ lục số liệu.",
        target="Gửi Bộ Nội vụ đúng thời hạn; số liệu khớp với Hệ thống thông tin báo cáo quốc gia.",
        steps=(
            "Đôn đốc các đơn vị nhập số liệu trên hệ thống báo cáo",
            "Tổng hợp, kiểm tra số liệu",
            "Dự thảo báo cáo, trình lãnh đạo Sở Nội vụ",
            "Trình UBND thành phố ký, gửi Bộ Nội vụ",
        ),
        result=(
            "Đã gửi báo cáo công tác cải cách hành chính {period} đúng mẫu, số liệu đã đối chiếu "
            "với hệ thống báo cáo quốc gia."
        ),
        coordinating=(
            ("VP-UBND", "Cung cấp số liệu kiểm soát thủ tục hành chính và một cửa"),
            ("STTTT", "Cung cấp số liệu chính quyền số"),
        ),
    ),
    Template(
        field="CDS",
        document="NQ18",
        leads=_SECTORS,
        title="Nâng tỷ lệ hồ sơ trực tuyến toàn trình đối với dịch vụ công thuộc {unit}",
        description=(
            "Rà soát các dịch vụ công trực tuyến toàn trình thuộc {unit}; đơn giản hóa biểu mẫu, "
            "tái sử dụng dữ liệu đã số hóa và hướng dẫn người dân, doanh nghiệp nộp hồ sơ trực "
            "tuyến."
        ),
        outcome=(
            "Danh mục dịch vụ công được tái cấu trúc quy trình và báo cáo tỷ lệ hồ sơ trực tuyến."
        ),
        target=(
            "Tỷ lệ hồ sơ trực tuyến toàn trình đạt tối thiểu 80% trên tổng số hồ sơ của các dịch "
            "vụ đủ điều kiện."
        ),
        steps=(
            "Thống kê tỷ lệ hồ sơ trực tuyến của từng dịch vụ công",
            "Đơn giản hóa biểu mẫu, cấu hình tái sử dụng dữ liệu",
            "Tuyên truyền, hướng dẫn người dân và doanh nghiệp",
            "Đánh giá tỷ lệ sau 3 tháng, báo cáo UBND thành phố",
        ),
        result=(
            "Tỷ lệ hồ sơ trực tuyến toàn trình của các dịch vụ đủ điều kiện đã đạt trên 80%; biểu "
            "mẫu điện tử được rút gọn."
        ),
        coordinating=(
            ("STTTT", "Hỗ trợ kỹ thuật cấu hình biểu mẫu điện tử và tích hợp dữ liệu"),
            ("TTPVHCC", "Theo dõi, đánh giá mức độ hài lòng trên Cổng Dịch vụ công"),
        ),
    ),
    Template(
        field="CDS",
        document="NQ18",
        leads=DISTRICTS + COMMUNES,
        title="Triển khai chữ ký số và xử lý văn bản trên môi trường mạng tại {unit}",
        description=(
            "Cấp chứng thư số cho cán bộ, công chức có thẩm quyền ký; chuyển toàn bộ văn bản đi, "
            "đến sang xử lý trên phần mềm quản lý văn bản và điều hành, trừ văn bản mật."
        ),
        outcome="Danh sách chứng thư số đã cấp và báo cáo tỷ lệ văn bản điện tử.",
        target=(
            "100% văn bản đi, đến (trừ văn bản mật) được xử lý trên môi trường mạng; 100% lãnh đạo "
            "có chứng thư số."
        ),
        steps=(
            "Rà soát nhu cầu chứng thư số của cán bộ, công chức",
            "Đăng ký cấp chứng thư số và cài đặt thiết bị ký",
            "Tập huấn ký số, xử lý văn bản trên phần mềm",
            "Kiểm tra tỷ lệ văn bản điện tử, báo cáo kết quả",
        ),
        result=(
            "Đã cấp đủ chứng thư số cho lãnh đạo và công chức có thẩm quyền; toàn bộ văn bản (trừ "
            "văn bản mật) đã xử lý trên phần mềm."
        ),
        coordinating=(("STTTT", "Hỗ trợ cấp chứng thư số và tập huấn sử dụng"),),
    ),
    Template(
        field="CDS",
        document="KH-CDS",
        leads=DISTRICTS,
        title=(
            "Triển khai Đề án 06 về ứng dụng dữ liệu dân cư, định danh và xác thực điện tử trên "
            "địa bàn {area}"
        ),
        description=(
            "Triển khai các nhiệm vụ của Đề án 06 của Chính phủ trên địa bàn {area}: làm sạch dữ "
            "liệu dân cư, kích hoạt tài khoản định danh điện tử, sử dụng dữ liệu dân cư thay cho "
            "giấy tờ khi giải quyết thủ tục hành chính."
        ),
        outcome="Báo cáo kết quả thực hiện các chỉ tiêu Đề án 06 của địa phương.",
        target=(
            "100% xã, phường, thị trấn sử dụng dữ liệu dân cư khi giải quyết thủ tục; tỷ lệ kích "
            "hoạt tài khoản định danh mức 2 tăng tối thiểu 10%."
        ),
        steps=(
            "Rà soát, làm sạch dữ liệu dân cư phối hợp với công an cấp huyện",
            "Tổ chức điểm kích hoạt tài khoản định danh điện tử tại các xã, phường",
            "Cấu hình khai thác dữ liệu dân cư tại Bộ phận Một cửa",
            "Kiểm tra tại các xã, phường và báo cáo kết quả",
        ),
        result=(
            "Toàn bộ xã, phường, thị trấn trên địa bàn đã khai thác dữ liệu dân cư khi giải quyết "
            "thủ tục; tỷ lệ kích hoạt định danh mức 2 tăng vượt chỉ tiêu."
        ),
        coordinating=(("STTTT", "Hướng dẫn kết nối, khai thác Cơ sở dữ liệu quốc gia về dân cư"),),
    ),
    Template(
        field="CDS",
        document="NQ18",
        leads=("STTTT",),
        title="Kiểm tra, đánh giá an toàn thông tin các hệ thống thông tin của {subject}",
        description=(
            "Kiểm tra việc phân loại cấp độ, phương án bảo đảm an toàn thông tin và rà quét lỗ "
            "hổng các hệ thống thông tin do {subject} quản lý; hướng dẫn khắc phục các lỗ hổng "
            "nghiêm trọng."
        ),
        outcome="Biên bản kiểm tra và báo cáo đánh giá an toàn thông tin.",
        target="100% hệ thống được phê duyệt cấp độ; lỗ hổng mức cao được khắc phục trong 15 ngày.",
        steps=(
            "Thông báo kế hoạch kiểm tra, đề nghị đơn vị cung cấp hồ sơ cấp độ",
            "Rà quét lỗ hổng và kiểm tra cấu hình",
            "Lập biên bản, yêu cầu khắc phục",
            "Kiểm tra lại sau khắc phục, báo cáo kết quả",
        ),
        result=(
            "Đã kiểm tra, rà quét toàn bộ hệ thống; các lỗ hổng mức cao đã được khắc phục và kiểm "
            "tra lại."
        ),
        coordinating=(
            (UNIT_PLACEHOLDER, "Cung cấp hồ sơ hệ thống và khắc phục lỗ hổng theo yêu cầu"),
            ("STTTT-TTCNTT", "Thực hiện rà quét kỹ thuật"),
        ),
        subjects=tuple(code for code in DEPARTMENTS if code != "STTTT"),
    ),
    Template(
        field="CDS",
        document="KH-CDS",
        leads=("STTTT-TTCNTT",),
        title="Xây dựng kho dữ liệu dùng chung phục vụ chỉ đạo, điều hành của UBND thành phố",
        description=(
            "Xây dựng kho dữ liệu dùng chung tích hợp số liệu thủ tục hành chính, theo dõi nhiệm "
            "vụ và chỉ tiêu kinh tế – xã hội, phục vụ Trung tâm điều hành của thành phố."
        ),
        outcome="Kho dữ liệu dùng chung vận hành thử nghiệm, kèm tài liệu kết nối.",
        target="Tích hợp tối thiểu 5 nguồn dữ liệu; số liệu cập nhật tự động hằng ngày.",
        steps=(
            "Khảo sát nguồn dữ liệu và chuẩn dữ liệu",
            "Thiết kế mô hình dữ liệu và phương án kết nối",
            "Triển khai kết nối, đồng bộ dữ liệu",
            "Vận hành thử nghiệm, nghiệm thu",
        ),
        result=(
            "Kho dữ liệu dùng chung đã vận hành thử nghiệm, tích hợp 6 nguồn dữ liệu, cập nhật tự "
            "động hằng ngày."
        ),
        coordinating=(
            ("VP-UBND", "Xác định nhu cầu thông tin phục vụ chỉ đạo, điều hành"),
            ("STC", "Thẩm định dự toán kinh phí"),
        ),
        milestones=("Hoàn thành thiết kế mô hình dữ liệu", "Kết nối xong 3 nguồn dữ liệu đầu tiên"),
    ),
    Template(
        field="CDS",
        document="NQ18",
        leads=DISTRICTS,
        title="Mở rộng hệ thống họp trực tuyến đến UBND các xã, phường, thị trấn thuộc {area}",
        description=(
            "Đầu tư, nâng cấp điểm cầu họp trực tuyến tại UBND cấp xã; kết nối với hệ thống họp "
            "trực tuyến của thành phố, bảo đảm chất lượng đường truyền và an toàn thông tin."
        ),
        outcome=(
            "Điểm cầu họp trực tuyến tại các xã, phường, thị trấn được nghiệm thu, kết nối với "
            "thành phố."
        ),
        target="100% UBND cấp xã có điểm cầu đạt chuẩn kỹ thuật; thử nghiệm kết nối thành công.",
        steps=(
            "Khảo sát hạ tầng tại các xã, phường, thị trấn",
            "Lập dự toán, trình phê duyệt",
            "Lắp đặt, kết nối thử nghiệm",
            "Nghiệm thu, bàn giao đưa vào sử dụng",
        ),
        result=(
            "Toàn bộ điểm cầu cấp xã đã được nghiệm thu, kết nối thành công với hệ thống họp trực "
            "tuyến của thành phố."
        ),
        coordinating=(
            ("STTTT", "Hướng dẫn tiêu chuẩn kỹ thuật và kết nối với hệ thống của thành phố"),
            ("STC", "Hướng dẫn nguồn kinh phí thực hiện"),
        ),
    ),
    Template(
        field="TCNS",
        document="CT-GIAINGAN",
        leads=DISTRICTS + ("SXD", "SGTVT"),
        title="Đẩy nhanh giải ngân vốn đầu tư công năm {year} của {unit}",
        description=(
            "Rà soát tiến độ từng dự án được giao vốn đầu tư công năm {year}; tháo gỡ vướng mắc "
            "giải phóng mặt bằng, thủ tục thanh toán; điều chuyển vốn từ dự án chậm giải ngân sang "
            "dự án có khả năng giải ngân."
        ),
        outcome="Báo cáo tiến độ giải ngân theo từng dự án và đề xuất điều chuyển vốn.",
        target="Tỷ lệ giải ngân đạt trên 95% kế hoạch vốn được giao.",
        steps=(
            "Rà soát tiến độ, khối lượng hoàn thành của từng dự án",
            "Tổ chức họp tháo gỡ vướng mắc với chủ đầu tư",
            "Đề xuất điều chuyển vốn của dự án chậm giải ngân",
            "Báo cáo tiến độ giải ngân định kỳ về Sở Tài chính",
        ),
        result=(
            "Tỷ lệ giải ngân đạt trên 95% kế hoạch vốn; đã đề xuất điều chuyển vốn của các dự án "
            "chậm tiến độ."
        ),
        coordinating=(
            ("STC", "Tổng hợp, thẩm định đề xuất điều chuyển vốn"),
            ("SKHDT", "Rà soát kế hoạch vốn và thủ tục đầu tư"),
        ),
        priority=Priority.HIGH,
    ),
    Template(
        field="TCNS",
        document="CV3073",
        leads=_PUBLIC_SERVICE_OWNERS,
        title=(
            "Xây dựng lộ trình nâng mức tự chủ tài chính của các đơn vị sự nghiệp công lập thuộc "
            "{unit}"
        ),
        description=(
            "Rà soát mức độ tự chủ của các đơn vị sự nghiệp công lập trực thuộc {unit}; xây dựng "
            "lộ trình nâng mức tự chủ chi thường xuyên gắn với tinh giản biên chế hưởng lương từ "
            "ngân sách nhà nước."
        ),
        outcome="Phương án, lộ trình nâng mức tự chủ của từng đơn vị trình UBND thành phố.",
        target=(
            "Mỗi đơn vị có mức tự chủ mục tiêu theo từng năm; giảm tối thiểu 10% biên chế hưởng "
            "lương ngân sách so với năm 2021."
        ),
        steps=(
            "Đánh giá mức tự chủ hiện tại của từng đơn vị",
            "Xây dựng định mức, giá dịch vụ làm căn cứ tính tự chủ",
            "Lấy ý kiến Sở Tài chính và Sở Nội vụ",
            "Hoàn thiện lộ trình, trình UBND thành phố phê duyệt",
        ),
        result=(
            "Đã trình UBND thành phố lộ trình nâng mức tự chủ của từng đơn vị, kèm phương án giảm "
            "biên chế hưởng lương ngân sách."
        ),
        coordinating=(
            ("STC", "Thẩm định phương án tự chủ tài chính"),
            ("SNV", "Thẩm định phương án biên chế, vị trí việc làm"),
        ),
    ),
    Template(
        field="TCNS",
        document="QD-DUTOAN",
        leads=_PUBLIC_SERVICE_OWNERS + ("SXD", "STNMT"),
        title="Ban hành định mức kinh tế – kỹ thuật của dịch vụ sự nghiệp công do {unit} quản lý",
        description=(
            "Rà soát danh mục dịch vụ sự nghiệp công sử dụng ngân sách nhà nước thuộc lĩnh vực "
            "{unit} quản lý; xây dựng, trình ban hành định mức kinh tế – kỹ thuật làm căn cứ đặt "
            "hàng, giao nhiệm vụ và tính giá dịch vụ."
        ),
        outcome="Dự thảo quyết định ban hành định mức kinh tế – kỹ thuật trình UBND thành phố.",
        target="100% dịch vụ trong danh mục có định mức được ban hành hoặc trình ban hành.",
        steps=(
            "Rà soát danh mục dịch vụ sự nghiệp công",
            "Khảo sát, xây dựng dự thảo định mức",
            "Lấy ý kiến Sở Tài chính và các đơn vị sự nghiệp",
            "Trình UBND thành phố ban hành",
        ),
        result=(
            "Đã trình UBND thành phố dự thảo quyết định ban hành định mức cho toàn bộ dịch vụ "
            "trong danh mục."
        ),
        coordinating=(
            ("STC", "Góp ý, thẩm định định mức và giá dịch vụ"),
            ("STP", "Thẩm định dự thảo quyết định"),
        ),
    ),
    Template(
        field="TCNS",
        document="QD-DUTOAN",
        leads=("STC",),
        title="Báo cáo tình hình thực hiện dự toán thu, chi ngân sách thành phố {period}",
        description=(
            "Tổng hợp tình hình thực hiện dự toán thu, chi ngân sách {period}; phân tích nguyên "
            "nhân các khoản thu đạt thấp và đề xuất giải pháp điều hành ngân sách."
        ),
        outcome="Báo cáo tình hình thực hiện dự toán ngân sách {period} trình UBND thành phố.",
        target=(
            "Báo cáo đúng hạn; số liệu khớp với Kho bạc Nhà nước; nêu rõ giải pháp cho từng khoản "
            "thu đạt dưới 70% dự toán."
        ),
        steps=(
            "Đối chiếu số liệu thu, chi với Kho bạc Nhà nước",
            "Phân tích tình hình thực hiện theo từng lĩnh vực",
            "Dự thảo báo cáo, đề xuất giải pháp điều hành",
            "Trình UBND thành phố",
        ),
        result=(
            "Đã trình báo cáo {period}; số liệu đã đối chiếu với Kho bạc Nhà nước, kèm giải pháp "
            "cho các khoản thu đạt thấp."
        ),
        coordinating=(("SKHDT", "Cung cấp số liệu giải ngân vốn đầu tư công"),),
    ),
    Template(
        field="TCNS",
        document="QD-DUTOAN",
        leads=DEPARTMENTS + DISTRICTS,
        title="Rà soát, lập phương án sắp xếp lại nhà, đất là tài sản công của {unit}",
        description=(
            "Rà soát toàn bộ cơ sở nhà, đất do {unit} quản lý, sử dụng; lập phương án giữ lại, "
            "điều chuyển hoặc bán theo quy định, xử lý dứt điểm các cơ sở sử dụng sai mục đích."
        ),
        outcome="Phương án sắp xếp lại nhà, đất trình cấp có thẩm quyền phê duyệt.",
        target=(
            "100% cơ sở nhà, đất được rà soát và có phương án xử lý; không còn cơ sở sử dụng sai "
            "mục đích."
        ),
        steps=(
            "Kê khai, thống kê hiện trạng từng cơ sở nhà, đất",
            "Kiểm tra thực tế, lập biên bản hiện trạng",
            "Lập phương án sắp xếp, lấy ý kiến Sở Tài chính",
            "Trình UBND thành phố phê duyệt",
        ),
        result=(
            "Đã rà soát toàn bộ cơ sở nhà, đất và trình phương án sắp xếp lại; các cơ sở sử dụng "
            "sai mục đích đã được thu hồi."
        ),
        coordinating=(
            ("STC", "Chủ trì kiểm tra hiện trạng và thẩm định phương án"),
            ("STNMT", "Xác định hồ sơ pháp lý về đất đai"),
        ),
    ),
    Template(
        field="DTXD",
        document="TB-KETLUAN",
        leads=DISTRICTS,
        title="Kiểm tra, xử lý dứt điểm vi phạm trật tự xây dựng trên địa bàn {area}",
        description=(
            "Rà soát, lập danh sách các công trình vi phạm trật tự xây dựng chưa được xử lý trên "
            "địa bàn {area}; ban hành quyết định xử phạt, cưỡng chế theo quy định và xác định "
            "trách nhiệm của cán bộ để xảy ra vi phạm."
        ),
        outcome="Danh sách công trình vi phạm và kết quả xử lý từng trường hợp.",
        target=(
            "100% công trình vi phạm phát sinh được xử lý dứt điểm; không có vi phạm mới kéo dài "
            "quá 30 ngày."
        ),
        steps=(
            "Rà soát, lập danh sách công trình vi phạm",
            "Ban hành quyết định xử phạt, yêu cầu khắc phục",
            "Tổ chức cưỡng chế các trường hợp không chấp hành",
            "Kiểm điểm trách nhiệm cán bộ để xảy ra vi phạm, báo cáo kết quả",
        ),
        result=(
            "Đã xử lý dứt điểm các công trình vi phạm trong danh sách; tổ chức kiểm điểm trách "
            "nhiệm cán bộ địa bàn."
        ),
        coordinating=(("SXD", "Hướng dẫn chuyên môn, kiểm tra việc xử lý vi phạm"),),
        priority=Priority.HIGH,
    ),
    Template(
        field="DTXD",
        document="TB-KETLUAN",
        leads=_OLD_QUARTERS,
        title="Lập kế hoạch cải tạo, xây dựng lại chung cư cũ trên địa bàn {area}",
        description=(
            "Kiểm định, phân loại các chung cư cũ trên địa bàn {area}; lập kế hoạch cải tạo, xây "
            "dựng lại, phương án bố trí tái định cư tạm thời và lấy ý kiến người dân."
        ),
        outcome="Kế hoạch cải tạo, xây dựng lại chung cư cũ được UBND thành phố chấp thuận.",
        target=(
            "100% chung cư cũ được kiểm định, phân loại; 100% nhà chung cư nguy hiểm cấp D có "
            "phương án di dời."
        ),
        steps=(
            "Rà soát, kiểm định chất lượng các chung cư cũ",
            "Lập kế hoạch cải tạo và phương án tái định cư",
            "Lấy ý kiến người dân, tổ chức hội nghị nhà chung cư",
            "Trình UBND thành phố chấp thuận",
        ),
        result=(
            "Đã trình UBND thành phố kế hoạch cải tạo, xây dựng lại; các nhà cấp D đã có phương án "
            "di dời."
        ),
        coordinating=(
            ("SXD", "Hướng dẫn kiểm định, thẩm định kế hoạch"),
            ("SQHKT", "Cung cấp chỉ tiêu quy hoạch"),
        ),
        milestones=(
            "Hoàn thành kiểm định, phân loại chung cư cũ",
            "Hoàn thành lấy ý kiến người dân",
        ),
    ),
    Template(
        field="TNMT",
        document="KH-CCHC",
        leads=_RURAL,
        title="Đẩy nhanh cấp giấy chứng nhận quyền sử dụng đất lần đầu trên địa bàn {area}",
        description=(
            "Rà soát các trường hợp đủ điều kiện nhưng chưa được cấp giấy chứng nhận quyền sử dụng "
            "đất lần đầu; tháo gỡ vướng mắc về nguồn gốc đất, nghĩa vụ tài chính; rút ngắn thời "
            "gian giải quyết hồ sơ."
        ),
        outcome=(
            "Danh sách hồ sơ đã cấp giấy chứng nhận và các trường hợp vướng mắc kèm hướng xử lý."
        ),
        target=(
            "Cấp tối thiểu 95% số trường hợp đủ điều kiện; không có hồ sơ quá hạn do lỗi của cơ "
            "quan giải quyết."
        ),
        steps=(
            "Rà soát, phân loại hồ sơ tồn đọng theo nguyên nhân",
            "Xác minh nguồn gốc đất, niêm yết công khai tại xã",
            "Trình ký, trao giấy chứng nhận",
            "Báo cáo kết quả, đề xuất tháo gỡ vướng mắc còn lại",
        ),
        result=(
            "Đã cấp giấy chứng nhận cho trên 95% trường hợp đủ điều kiện; các trường hợp còn lại "
            "đã có hướng xử lý."
        ),
        coordinating=(("STNMT", "Hướng dẫn chuyên môn, giải quyết vướng mắc về hồ sơ địa chính"),),
    ),
    Template(
        field="TNMT",
        document="KH-MOITRUONG",
        leads=DISTRICTS,
        title="Triển khai phân loại chất thải rắn sinh hoạt tại nguồn trên địa bàn {area}",
        description=(
            "Tổ chức phân loại chất thải rắn sinh hoạt tại hộ gia đình, cơ quan, trường học trên "
            "địa bàn {area}; bố trí điểm tập kết, phương tiện thu gom riêng cho từng loại chất "
            "thải."
        ),
        outcome="Mô hình phân loại tại nguồn được triển khai và báo cáo đánh giá.",
        target=(
            "Tối thiểu 80% tổ dân phố, thôn triển khai phân loại; 100% điểm tập kết có thùng chứa "
            "phân loại."
        ),
        steps=(
            "Khảo sát, lựa chọn địa bàn triển khai",
            "Tuyên truyền, hướng dẫn người dân phân loại",
            "Bố trí điểm tập kết, phương tiện thu gom",
            "Đánh giá kết quả, nhân rộng mô hình",
        ),
        result=(
            "Đã triển khai phân loại tại nguồn ở trên 80% tổ dân phố, thôn; các điểm tập kết đã bố "
            "trí thùng chứa phân loại."
        ),
        coordinating=(("STNMT", "Hướng dẫn kỹ thuật phân loại, thu gom"),),
    ),
    Template(
        field="VHXH",
        document="CV3073",
        leads=("SGDDT",) + DISTRICTS,
        title=(
            "Rà soát, điều chuyển giáo viên từ nơi thừa sang nơi thiếu năm học {school_year} tại "
            "{unit}"
        ),
        description=(
            "Rà soát định mức giáo viên theo từng trường, cấp học do {unit} quản lý; điều chuyển "
            "giáo viên từ nơi thừa sang nơi thiếu, đề xuất tuyển dụng bổ sung cho các môn còn "
            "thiếu."
        ),
        outcome="Quyết định điều chuyển giáo viên và báo cáo định mức sau điều chuyển.",
        target=(
            "Không còn trường thiếu giáo viên các môn bắt buộc; 100% quyết định điều chuyển được "
            "ban hành trước thời hạn."
        ),
        steps=(
            "Thống kê số lớp, số giáo viên theo từng trường, từng môn",
            "Xây dựng phương án điều chuyển, lấy ý kiến các trường",
            "Ban hành quyết định điều chuyển",
            "Báo cáo Sở Nội vụ nhu cầu tuyển dụng bổ sung",
        ),
        result=(
            "Đã ban hành quyết định điều chuyển; các trường thiếu giáo viên môn bắt buộc đã được "
            "bố trí đủ."
        ),
        coordinating=(("SNV", "Thẩm định nhu cầu tuyển dụng, biên chế giáo viên"),),
    ),
    Template(
        field="VHXH",
        document="TB-KETLUAN",
        leads=DISTRICTS + COMMUNES,
        title="Rà soát, chi trả kịp thời chế độ trợ giúp xã hội tại {unit}",
        description=(
            "Rà soát danh sách đối tượng hưởng trợ cấp xã hội hằng tháng; giải quyết dứt điểm hồ "
            "sơ tồn đọng; chuyển chi trả qua tài khoản ngân hàng cho đối tượng có nhu cầu."
        ),
        outcome="Danh sách đối tượng được cập nhật và báo cáo kết quả chi trả.",
        target=(
            "100% hồ sơ đủ điều kiện được giải quyết đúng hạn; tối thiểu 70% đối tượng nhận trợ "
            "cấp không dùng tiền mặt."
        ),
        steps=(
            "Rà soát, cập nhật danh sách đối tượng",
            "Giải quyết hồ sơ tồn đọng",
            "Phối hợp ngân hàng mở tài khoản cho đối tượng",
            "Báo cáo kết quả chi trả",
        ),
        result=(
            "Đã giải quyết toàn bộ hồ sơ tồn đọng; trên 70% đối tượng nhận trợ cấp qua tài khoản."
        ),
        coordinating=(("SLDTBXH", "Hướng dẫn chính sách, kiểm tra việc chi trả"),),
    ),
    Template(
        field="CCHC",
        document="KH-CCHC",
        leads=COMMUNES + ("H-HOAIDUC",),
        title="Chuẩn hóa Bộ phận Một cửa theo bộ nhận diện thống nhất của thành phố tại {unit}",
        description=(
            "Bố trí lại Bộ phận Một cửa {unit} theo bộ nhận diện thống nhất: biển hiệu, khu vực "
            "chờ, máy lấy số, thiết bị đánh giá sự hài lòng và khu vực hướng dẫn dịch vụ công trực "
            "tuyến."
        ),
        outcome="Bộ phận Một cửa được cải tạo, nghiệm thu theo bộ nhận diện.",
        target="Đạt 100% tiêu chí của bộ nhận diện; tỷ lệ người dân hài lòng đạt trên 95%.",
        steps=(
            "Khảo sát hiện trạng, đối chiếu tiêu chí bộ nhận diện",
            "Lập dự toán cải tạo, trình phê duyệt",
            "Cải tạo, lắp đặt thiết bị",
            "Nghiệm thu, đưa vào sử dụng",
        ),
        result=(
            "Bộ phận Một cửa đã được cải tạo, đạt đủ tiêu chí bộ nhận diện; thiết bị đánh giá sự "
            "hài lòng đã vận hành."
        ),
        coordinating=(
            ("VP-UBND", "Hướng dẫn tiêu chí bộ nhận diện Bộ phận Một cửa"),
            ("H-HOAIDUC", "Bố trí kinh phí, tham gia nghiệm thu"),
        ),
    ),
    Template(
        field="CCHC",
        document="KH-CCHC",
        leads=COMMUNES + tuple(c for c in DISTRICTS if c != "H-HOAIDUC"),
        title=(
            "Nhân rộng mô hình hướng dẫn thủ tục hành chính qua Zalo và “Ngày thứ Sáu xanh” tại "
            "{unit}"
        ),
        description=(
            "Học tập mô hình của huyện Hoài Đức: lập kênh Zalo hướng dẫn thủ tục hành chính, tổ "
            "chức “Ngày thứ Sáu xanh” tiếp nhận hồ sơ ngoài giờ, thu thập ý kiến người dân để cải "
            "tiến quy trình."
        ),
        outcome="Kênh hướng dẫn trực tuyến hoạt động và báo cáo đánh giá hiệu quả.",
        target=(
            "Trả lời 100% câu hỏi của người dân trong 1 ngày làm việc; tỷ lệ hồ sơ bị trả lại giảm "
            "30%."
        ),
        steps=(
            "Xây dựng quy chế vận hành kênh hướng dẫn",
            "Phân công công chức trả lời theo lĩnh vực",
            "Truyền thông đến người dân, doanh nghiệp",
            "Đánh giá sau 3 tháng, báo cáo kết quả",
        ),
        result=(
            "Kênh hướng dẫn đã vận hành, trả lời đúng hạn các câu hỏi; tỷ lệ hồ sơ bị trả lại giảm "
            "rõ rệt."
        ),
        coordinating=(("H-HOAIDUC", "Chia sẻ kinh nghiệm, quy chế vận hành mô hình"),),
    ),
    Template(
        field="NC",
        document="KH171",
        leads=("HD-PNV",),
        title="Kiểm tra công vụ {period} tại các xã, thị trấn thuộc huyện Hoài Đức",
        description=(
            "Kiểm tra đột xuất việc chấp hành giờ giấc, quy tắc ứng xử và giải quyết thủ tục hành "
            "chính của cán bộ, công chức tại UBND các xã, thị trấn; kiến nghị xử lý các trường hợp "
            "vi phạm."
        ),
        outcome="Báo cáo kết quả kiểm tra công vụ {period}.",
        target="Kiểm tra tối thiểu 5 xã, thị trấn; 100% vi phạm được kiến nghị xử lý.",
        steps=(
            "Xây dựng kế hoạch kiểm tra đột xuất",
            "Kiểm tra tại các xã, thị trấn, lập biên bản",
            "Tổng hợp, kiến nghị xử lý",
            "Báo cáo Chủ tịch UBND huyện",
        ),
        result=(
            "Đã kiểm tra đột xuất các xã, thị trấn theo kế hoạch; kiến nghị nhắc nhở các trường "
            "hợp vi phạm giờ giấc."
        ),
        coordinating=(
            ("TT-TRAMTROI", "Bố trí làm việc, cung cấp hồ sơ khi Đoàn kiểm tra"),
            ("X-ANKHANH", "Bố trí làm việc, cung cấp hồ sơ khi Đoàn kiểm tra"),
        ),
    ),
    Template(
        field="CCHC",
        document="KH-CCHC",
        leads=("TTPVHCC",),
        title=(
            "Đo lường sự hài lòng của người dân, doanh nghiệp đối với dịch vụ hành chính công "
            "{period}"
        ),
        description=(
            "Khảo sát sự hài lòng của người dân, doanh nghiệp khi giải quyết thủ tục tại Trung tâm "
            "Phục vụ hành chính công và Bộ phận Một cửa các cấp; phân tích nguyên nhân các chỉ số "
            "thành phần giảm điểm."
        ),
        outcome="Báo cáo kết quả đo lường sự hài lòng {period}.",
        target="Khảo sát tối thiểu 3.000 phiếu hợp lệ; chỉ rõ đơn vị có mức hài lòng dưới 90%.",
        steps=(
            "Thiết kế mẫu phiếu, chọn mẫu khảo sát",
            "Tổ chức khảo sát trực tiếp và trực tuyến",
            "Xử lý số liệu, phân tích kết quả",
            "Báo cáo UBND thành phố, công bố kết quả",
        ),
        result=(
            "Đã khảo sát trên 3.000 phiếu hợp lệ; báo cáo nêu rõ các đơn vị có mức hài lòng dưới "
            "90%."
        ),
        coordinating=(("SNV", "Sử dụng kết quả trong xác định chỉ số cải cách hành chính"),),
    ),
    Template(
        field="CCHC",
        document="CV3073",
        leads=("SNV-TCBM",),
        title="Thẩm định phương án sắp xếp tổ chức bộ máy của {subject}",
        description=(
            "Thẩm định phương án sắp xếp các phòng, đơn vị trực thuộc {subject} theo hướng tinh "
            "gọn; bảo đảm không chồng chéo chức năng và đúng số lượng cấp phó theo quy định."
        ),
        outcome="Văn bản thẩm định trình UBND thành phố.",
        target=(
            "Thẩm định trong 15 ngày làm việc kể từ khi nhận đủ hồ sơ; nêu rõ nội dung cần chỉnh "
            "sửa."
        ),
        steps=(
            "Tiếp nhận, kiểm tra tính đầy đủ của hồ sơ",
            "Lấy ý kiến các sở, ngành liên quan",
            "Dự thảo văn bản thẩm định",
            "Trình lãnh đạo Sở ký, gửi UBND thành phố",
        ),
        result=(
            "Đã có văn bản thẩm định gửi UBND thành phố; đơn vị đã hoàn thiện phương án theo ý "
            "kiến thẩm định."
        ),
        coordinating=(
            (UNIT_PLACEHOLDER, "Giải trình, hoàn thiện phương án theo ý kiến thẩm định"),
        ),
        subjects=tuple(code for code in DEPARTMENTS if code != "SNV"),
    ),
    Template(
        field="NC",
        document="KH171",
        leads=("SNV-CCVC",),
        title=(
            "Hướng dẫn đánh giá, xếp loại cán bộ, công chức năm {year} gắn với kết quả thực hiện "
            "nhiệm vụ được giao"
        ),
        description=(
            "Hướng dẫn các cơ quan, đơn vị đánh giá, xếp loại chất lượng cán bộ, công chức dựa "
            "trên kết quả thực hiện nhiệm vụ được giao, số nhiệm vụ chậm muộn và việc khắc phục "
            "sau nhắc nhở, cảnh báo."
        ),
        outcome="Văn bản hướng dẫn đánh giá, xếp loại và biểu mẫu kèm theo.",
        target=(
            "Ban hành trước kỳ đánh giá cuối năm; tiêu chí định lượng dựa trên dữ liệu theo dõi "
            "nhiệm vụ."
        ),
        steps=(
            "Rà soát quy định về đánh giá, xếp loại",
            "Xây dựng tiêu chí định lượng từ dữ liệu theo dõi nhiệm vụ",
            "Lấy ý kiến các sở, ngành và quận, huyện, thị xã",
            "Trình lãnh đạo Sở ban hành hướng dẫn",
        ),
        result=(
            "Đã ban hành hướng dẫn; tiêu chí xếp loại dựa trên tỷ lệ nhiệm vụ hoàn thành đúng hạn."
        ),
        coordinating=(("VP-UBND", "Cung cấp dữ liệu kết quả thực hiện nhiệm vụ của các đơn vị"),),
    ),
    Template(
        field="CDS",
        document="KH-CDS",
        leads=("STTTT-CNTT",),
        title=(
            "Nâng cấp Hệ thống thông tin giải quyết thủ tục hành chính thành phố kết nối Cổng Dịch "
            "vụ công quốc gia"
        ),
        description=(
            "Nâng cấp Hệ thống thông tin giải quyết thủ tục hành chính của thành phố: đồng bộ "
            "trạng thái hồ sơ với Cổng Dịch vụ công quốc gia, thanh toán trực tuyến và tái sử dụng "
            "kết quả số hóa."
        ),
        outcome="Hệ thống được nâng cấp và nghiệm thu.",
        target=(
            "100% hồ sơ được đồng bộ trạng thái trong 24 giờ; không có lỗi đồng bộ mức nghiêm "
            "trọng."
        ),
        steps=(
            "Khảo sát yêu cầu nghiệp vụ với các sở, ngành",
            "Nâng cấp phần mềm, kết nối thử nghiệm",
            "Vận hành thử, khắc phục lỗi",
            "Nghiệm thu, bàn giao",
        ),
        result=(
            "Hệ thống đã được nâng cấp, đồng bộ trạng thái hồ sơ với Cổng Dịch vụ công quốc gia; "
            "đã nghiệm thu."
        ),
        coordinating=(
            ("VP-UBND", "Xác nhận yêu cầu nghiệp vụ kiểm soát thủ tục hành chính"),
            ("STTTT-TTCNTT", "Bảo đảm hạ tầng máy chủ và an toàn thông tin"),
        ),
    ),
)

# ---------------------------------------------------------------- what people write

EXTENSION_REASONS = (
    "Các đơn vị phối hợp chưa gửi đủ số liệu nên chưa thể tổng hợp; đã có văn bản đôn đốc lần 2.",
    "Nội dung cần xin ý kiến bộ, ngành trung ương; đến nay chưa nhận được văn bản trả lời.",
    "Khối lượng rà soát phát sinh lớn hơn dự kiến (gấp đôi số hồ sơ ban đầu).",
    "Gói thầu thiết bị phải tổ chức lựa chọn nhà thầu lại do không có nhà thầu đạt yêu cầu.",
    "Công chức đầu mối nghỉ chế độ thai sản, đơn vị đang bố trí người thay thế.",
)
APPROVAL_NOTES = (
    "Đồng ý gia hạn; đây là lần gia hạn duy nhất.",
    "Đồng ý theo đề nghị của đơn vị.",
    "",
)
REJECTION_NOTES = (
    "Lý do chưa thuyết phục: nhiệm vụ đã được giao đủ thời gian và không phát sinh khối lượng "
    "mới. Đề nghị tập trung hoàn thành, báo cáo kết quả ngay.",
    "Không đồng ý gia hạn vì nhiệm vụ phục vụ báo cáo Thành ủy; đơn vị chủ động bố trí thêm "
    "nhân lực.",
    "Không đồng ý: số liệu có thể khai thác từ hệ thống, không cần chờ đơn vị phối hợp.",
)
RETURN_NOTES = (
    "Báo cáo chưa có số liệu của các xã, thị trấn; đề nghị bổ sung đầy đủ theo biểu mẫu.",
    "Sản phẩm chưa đáp ứng chỉ tiêu đã giao; đề nghị bổ sung minh chứng kết quả đo được.",
    "Chưa có ý kiến của đơn vị phối hợp theo quy trình; đề nghị lấy ý kiến trước khi báo cáo lại.",
)
ACCEPTANCE_NOTES = ("", "", "Kết quả đạt yêu cầu.", "Đạt chỉ tiêu đề ra; đề nghị duy trì.")
WITHDRAWAL_REASONS = (
    "Nội dung nhiệm vụ đã được lồng ghép vào Kế hoạch cải cách hành chính năm của thành phố; "
    "thu hồi để tránh trùng lặp.",
    "Theo kết luận của Chủ tịch UBND thành phố tại hội nghị giao ban, nhiệm vụ chuyển sang "
    "đơn vị khác chủ trì.",
    "Văn bản làm căn cứ giao nhiệm vụ đã được thay thế; nhiệm vụ sẽ được giao lại theo văn "
    "bản mới.",
    "Giao trùng với nhiệm vụ đang thực hiện của đơn vị; thu hồi theo đề nghị của Văn phòng "
    "UBND thành phố.",
)
DIFFICULTIES = (
    "Một số đơn vị phối hợp chậm gửi số liệu.",
    "Nhân lực mỏng, công chức đầu mối đồng thời phụ trách nhiều nhiệm vụ.",
    "Phần mềm chưa kết nối được với hệ thống của thành phố, phải tổng hợp thủ công.",
    "Vướng mắc về cơ sở pháp lý, đang chờ hướng dẫn của bộ, ngành.",
)
PROPOSALS = (
    "Đề nghị Văn phòng UBND thành phố đôn đốc các đơn vị phối hợp.",
    "Đề nghị Sở Thông tin và Truyền thông hỗ trợ kỹ thuật kết nối dữ liệu.",
    "Đề nghị lãnh đạo phụ trách chủ trì cuộc họp tháo gỡ vướng mắc.",
)

# ---------------------------------------------------------------- the mix of task stories

# (story, how many): about 10 drafts, 5 withdrawn, 40 on track (6 due soon), 27 overdue,
# 47 done on time and 21 done late. The stories themselves are the _story_* functions
# in stories.py.
STORY_MIX: tuple[tuple[str, int], ...] = (
    ("draft", 6),
    ("draft_incomplete", 4),
    ("withdrawn", 5),
    ("issued", 4),
    ("accepted", 4),
    ("in_progress", 11),
    ("long", 3),
    ("due_soon", 6),
    ("submitted", 4),
    ("returned", 2),
    ("extended", 4),
    ("pending_extension", 2),
    ("overdue", 14),
    ("overdue_rejected", 4),
    ("overdue_pending", 3),
    ("overdue_not_accepted", 2),
    ("overdue_not_started", 1),
    ("submitted_late", 3),
    ("done_on_time", 40),
    ("done_extended", 4),
    ("done_returned", 3),
    ("done_late", 16),
    ("done_late_rejected", 3),
    ("done_late_returned", 2),
)
# What each deliberately incomplete draft leaves out, so the 5 rõ checklist has work to show.
DRAFT_FLAWS = ("process", "outcome", "person", "timeline")
# Tasks spanning more than this many days get a roadmap even when the gate does not ask.
MILESTONE_SPAN_DAYS = 60
# A periodic report is named after the quarter as it stood this many days before it is due.
REPORT_LAG_DAYS = 20

# ---------------------------------------------------------------- process templates

# The standard procedures the office keeps (see tasks/process_templates/).
PROCESS_TEMPLATES = (
    (
        "Xây dựng kế hoạch triển khai",
        "Kế hoạch của sở, ngành, quận, huyện triển khai văn bản chỉ đạo của thành phố.",
        (
            ("Xây dựng dự thảo kế hoạch", 5, "staff", False),
            ("Lấy ý kiến các đơn vị liên quan", 5, "unit_head", True),
            ("Hoàn thiện, trình lãnh đạo ký ban hành", 3, "unit_head", True),
            ("Gửi kế hoạch về Văn phòng UBND thành phố", 1, "staff", False),
        ),
    ),
    (
        "Báo cáo định kỳ",
        "Báo cáo tháng, quý, năm về kết quả thực hiện nhiệm vụ.",
        (
            ("Tổng hợp số liệu, kết quả thực hiện", 3, "staff", False),
            ("Dự thảo báo cáo", 2, "staff", True),
            ("Thủ trưởng đơn vị duyệt, ký báo cáo", 1, "unit_head", False),
        ),
    ),
    (
        "Rà soát, đơn giản hoá thủ tục hành chính",
        "Rà soát quy trình, thành phần hồ sơ và thời hạn giải quyết thủ tục.",
        (
            ("Lập danh mục thủ tục cần rà soát", 5, "staff", False),
            ("Rà soát, đề xuất phương án đơn giản hoá", 15, "staff", True),
            ("Lấy ý kiến Sở Tư pháp", 10, "unit_head", True),
            ("Trình UBND thành phố thông qua phương án", 5, "assigner", False),
        ),
    ),
)
