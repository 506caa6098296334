import re
from collections import Counter
from datetime import date

import pytest

from redgrid.core.names import (
    FEMALE,
    MALE,
    PersonGenerator,
    age_on,
    building_address,
    id_check_digit,
    id_number_birth_date,
    id_number_error,
    id_number_gender,
    id_number_is_valid,
    phone_is_valid,
    road_names,
)

TODAY = date(2025, 6, 1)
GB_EXAMPLE = "11010519491231002X"  # the worked example in GB 11643-1999


@pytest.fixture(scope="module")
def people():
    generator = PersonGenerator(seed=42)
    return [generator.person(today=TODAY) for _ in range(3000)]


def test_the_gb_11643_example_number_is_valid():
    assert id_number_is_valid(GB_EXAMPLE)
    assert id_check_digit(GB_EXAMPLE[:17]) == "X"
    assert id_number_birth_date(GB_EXAMPLE) == date(1949, 12, 31)
    assert id_number_gender(GB_EXAMPLE) == FEMALE  # sequence 002 is even


def test_altering_any_digit_of_a_valid_number_makes_it_invalid():
    for position in range(18):
        for replacement in "0123456789X":
            if replacement == GB_EXAMPLE[position] or (replacement == "X" and position < 17):
                continue
            altered = GB_EXAMPLE[:position] + replacement + GB_EXAMPLE[position + 1 :]
            assert not id_number_is_valid(altered), altered


def test_swapping_two_adjacent_digits_makes_a_number_invalid():
    number = "370705198608224011"
    assert id_number_is_valid(number)
    for i in range(16):
        if number[i] != number[i + 1]:
            swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
            assert not id_number_is_valid(swapped), swapped


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("", "18 位"),
        ("11010519491231002", "18 位"),
        ("11010519491231002XX", "18 位"),
        ("1101051949123100X2", "数字"),
        ("１１０１０５１９４９１２３１００２Ｘ", "数字"),  # full-width digits
        ("00010519491231002X", "地址码"),
        ("110105194902300021", "出生日期不存在"),  # 30 February
        ("110105189912310021", "不合理"),  # before 1900
        ("110105203001010021", "不合理"),  # in the future
        ("110105194912310021", "校验位"),
    ],
)
def test_invalid_id_numbers_are_explained_in_chinese(value, detail):
    # Valid check characters are used for the date cases so the date rule itself is what fails.
    if detail in ("出生日期不存在", "不合理"):
        value = value[:17] + id_check_digit(value[:17])
    error = id_number_error(value, today=TODAY)
    assert error is not None and detail in error
    assert not id_number_is_valid(value, today=TODAY)
    with pytest.raises(ValueError):
        id_number_birth_date(value)


def test_a_lower_case_x_and_surrounding_spaces_are_accepted():
    assert id_number_is_valid(" 11010519491231002x ")
    assert id_number_birth_date("11010519491231002x") == date(1949, 12, 31)


def test_non_text_is_not_a_valid_id_number():
    assert not id_number_is_valid(11010519491231002)


def test_generated_id_numbers_pass_the_check_digit(people):
    numbers = [p.id_number for p in people]
    assert all(id_number_is_valid(n, today=TODAY) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert all(n.startswith("370705") for n in numbers)


def test_generated_id_numbers_encode_birth_date_and_gender(people):
    for person in people:
        assert id_number_birth_date(person.id_number) == person.birth_date
        assert id_number_gender(person.id_number) == person.gender
        assert int(person.id_number[16]) % 2 == (1 if person.gender == MALE else 0)


def test_id_numbers_can_be_generated_for_any_place_and_date():
    generator = PersonGenerator(seed=1)
    number = generator.id_number("370702", date(2000, 2, 29), "女")
    assert id_number_is_valid(number)
    assert number[6:14] == "20000229"
    assert int(number[16]) % 2 == 0
    with pytest.raises(ValueError):
        generator.id_number("3707", date(2000, 1, 1), MALE)


def test_a_crowded_birthday_still_gets_unique_numbers():
    generator = PersonGenerator(seed=3)
    numbers = {generator.id_number("370705", date(1990, 1, 1), MALE) for _ in range(300)}
    assert len(numbers) == 300


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("13812345678", True),
        ("19912345678", True),
        ("16612345678", True),
        ("12812345678", False),
        ("1381234567", False),
        ("138123456789", False),
        ("138 1234 5678", False),
        ("+8613812345678", False),
        ("1381234567a", False),
        ("１３８１２３４５６７８", False),
        ("", False),
        (13812345678, False),
    ],
)
def test_phone_validation(value, valid):
    assert phone_is_valid(value) is valid


def test_generated_phones_are_valid_unique_and_use_real_prefixes(people):
    phones = [p.phone for p in people if p.phone]
    assert len(phones) > 2000
    assert all(phone_is_valid(p) for p in phones)
    assert len(set(phones)) == len(phones)
    prefixes = Counter(p[:2] for p in phones)
    assert set(prefixes) <= {"13", "14", "15", "16", "17", "18", "19"}
    assert prefixes["13"] > prefixes["16"]


def test_children_under_twelve_have_no_phone(people):
    assert all(p.phone == "" for p in people if age_on(p.birth_date, TODAY) < 12)


def test_names_are_two_to_four_chinese_characters(people):
    for person in people:
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", person.name), person.name


def test_surnames_follow_their_real_frequency():
    generator = PersonGenerator(seed=8)
    names = [generator.name(generator.gender(), 1980) for _ in range(5000)]
    double = {"欧阳", "司马", "诸葛", "上官", "东方"}
    surnames = Counter(n[:2] if n[:2] in double else n[0] for n in names)
    assert {s for s, _ in surnames.most_common(4)} == {"王", "张", "李", "刘"}
    assert 30 <= len(surnames) and sum(surnames[s] for s in double) < 25
    assert surnames["王"] > 5 * surnames["林"]


def test_given_names_lean_by_gender_and_generation():
    generator = PersonGenerator(seed=9)
    old_women = "".join(generator.name(FEMALE, 1940)[1:] for _ in range(400))
    young_men = "".join(generator.name(MALE, 2015)[1:] for _ in range(400))
    assert Counter(old_women)["秀"] + Counter(old_women)["英"] > 20
    assert Counter(young_men)["梓"] + Counter(young_men)["宇"] + Counter(young_men)["轩"] > 20
    assert "秀" not in young_men


def test_gender_is_about_even(people):
    men = sum(p.gender == MALE for p in people)
    assert 0.46 < men / len(people) < 0.56


def test_birth_dates_fall_within_the_age_range():
    generator = PersonGenerator(seed=5)
    for today in (TODAY, date(2024, 2, 29)):
        dates = [generator.birth_date(18, 30, today) for _ in range(2000)]
        assert all(18 <= age_on(d, today) <= 30 for d in dates)
        ages = Counter(age_on(d, today) for d in dates)
        assert set(ages) == set(range(18, 31))
    assert age_on(generator.birth_date(0, 0, TODAY), TODAY) == 0
    with pytest.raises(ValueError):
        generator.birth_date(30, 18, TODAY)


def test_ethnicity_is_mostly_han_with_a_few_minorities():
    generator = PersonGenerator(seed=6)
    counts = Counter(generator.ethnicity() for _ in range(10000))
    assert 0.97 < counts["汉族"] / 10000 < 0.995
    assert counts["回族"] > 0
    assert all(name.endswith("族") for name in counts)


def test_education_fits_the_age():
    generator = PersonGenerator(seed=7)
    assert generator.education(3) == "学龄前"
    assert generator.education(8) == "小学"
    assert generator.education(13) == "初中"
    young = Counter(generator.education(28) for _ in range(2000))
    old = Counter(generator.education(85) for _ in range(2000))
    assert young["本科"] > 400 and young["未上过学"] == 0
    assert old["未上过学"] > 400 and old["本科"] < 60


def test_occupation_fits_age_and_education():
    generator = PersonGenerator(seed=10)
    assert generator.occupation(4) == "学龄前儿童"
    assert generator.occupation(15, "初中") == "学生"
    elderly = Counter(generator.occupation(75, "初中", MALE) for _ in range(500))
    assert elderly["退休人员"] > 400
    graduates = Counter(generator.occupation(35, "硕士研究生", FEMALE) for _ in range(500))
    assert graduates["农民"] == 0 and graduates["工程师"] + graduates["教师"] > 50


def test_the_same_seed_gives_the_same_people(people):
    again = PersonGenerator(seed=42)
    assert [again.person(today=TODAY) for _ in range(200)] == people[:200]
    other = PersonGenerator(seed=43)
    assert [other.person(today=TODAY) for _ in range(200)] != people[:200]


def test_unknown_genders_are_rejected():
    with pytest.raises(ValueError):
        PersonGenerator(seed=1).name("X")


def test_road_names_are_kuiwen_roads():
    roads = set(road_names())
    assert {"文化路", "胜利东街", "东风东街", "鸢飞路", "新华路", "北海路", "健康东街", "虞河路"} <= roads
    assert len(road_names()) == len(roads) >= 15
    assert all(r.endswith(("路", "街")) for r in roads)


def test_building_addresses_are_formatted_like_local_ones():
    assert building_address("文化路", 123, 3, 2, 501) == "文化路123号3号楼2单元501室"
    assert building_address("文化路", 123, 3) == "文化路123号3号楼"
    assert building_address("文化路", 123, 3, 2, 501).startswith(building_address("文化路", 123, 3))
