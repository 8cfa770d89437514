"""Round-4 place rules (regional Indian addresses, field words, hospitals): each with a case it must
catch and a case it must leave alone."""

from __future__ import annotations

from .conftest import covered, spans


def test_hyphenated_field_words_name_the_place() -> None:
    text = "Vill-Gorakhdih, PO-Sarwan, PS-Tundi, Dist-Giridih, Pin-815301"
    for word in ("Gorakhdih", "Sarwan", "Tundi", "Giridih"):
        assert covered(text, word), word
    assert spans("Post-op day 2, Pre-op Hb 11.2, wound clean.") == []


def test_abbreviated_field_words_name_the_place() -> None:
    text = "Mu. Po. Khandala, Ta. Wai, Ji. Kheda. Mouza Bara Kalna. gram Karauni, thana Dhurki."
    for word in ("Khandala", "Wai", "Kheda", "Bara Kalna", "Karauni", "Dhurki"):
        assert covered(text, word), word
    # Per os and per speculum are no post or police station.
    assert not covered("Tab. Ondansetron 4 mg PO BD. PS: cervix healthy.", "cervix")
    assert not covered("Ta. Paracetamol given", "Paracetamol")


def test_state_abbreviations_after_a_place() -> None:
    text = "Tehsil Osian, Zila Jalore (RJ). Dist: Tiruvarur, T.N. Ernakulam Dist., Kerala State - 682001"
    assert covered(text, "RJ") and covered(text, "T.N") and covered(text, "Kerala State")
    assert not covered("BP 120/80 (RJ) noted", "RJ")


def test_centre_codes_before_a_town() -> None:
    text = "Referred from GH Malur to APHC URULI KANCHAN; seen at P.H.C. Chandrakona and GMC Mehsana."
    for word in ("GH Malur", "APHC URULI KANCHAN", "P.H.C. Chandrakona", "GMC Mehsana"):
        assert covered(text, word), word
    assert spans("GH deficiency suspected; GMC registration pending.") == []


def test_kind_of_hospital_then_town_in_capitals_and_after_a_comma() -> None:
    text = "REF FROM CIVIL HOSPITAL VADASERI TO GOVT. MEDICAL COLLEGE & HOSPITAL, IDUKKI ON 2016-02-16"
    assert covered(text, "CIVIL HOSPITAL VADASERI")
    assert covered(text, "GOVT. MEDICAL COLLEGE & HOSPITAL, IDUKKI")
    assert spans("SHIFTED TO CIVIL HOSPITAL FOR FURTHER CARE") == []


def test_indian_language_hospital_heads_and_prefixes() -> None:
    text = "Delivered at Swasthya Chikitsalaya; seen at Sri Kanaka Durga Nethralaya and Jeevandeep Maternity & Nursing Home."
    for word in ("Swasthya Chikitsalaya", "Sri Kanaka Durga Nethralaya", "Jeevandeep Maternity & Nursing Home"):
        assert covered(text, word), word
    assert spans("Sample sent to Path Lab; report from the Lab awaited.") == []


def test_regional_hamlet_street_and_house_words() -> None:
    text = "Pt Ramu, Gugulothu Thanda, Tiptur Taluk. Kunnumpurath Veedu. Rebari Dhani. Jaton ki Dhani. Gouda Sahi."
    for word in ("Gugulothu Thanda", "Kunnumpurath Veedu", "Rebari Dhani", "Jaton ki Dhani", "Gouda Sahi"):
        assert covered(text, word), word
    assert not covered(text, "Taluk")  # the field word after a place is no part of it
    assert not covered("Stayed at the Guest House near the lake.", "Guest")


def test_ordinal_street_parts_and_house_numbers() -> None:
    text = "residing at #64-37, 12th 'A' Cross, 8th Main Road, Rajajinagar 3rd Block, Kathriguppe, Tumakuru-572101"
    for word in ("#64-37", "12th 'A' Cross", "8th Main Road", "3rd Block", "Kathriguppe"):
        assert covered(text, word), word
    assert spans("On the 3rd day the 2nd dose was given. Injury #2, wound clean.") == []


def test_house_words_with_numbers_and_building_parts() -> None:
    text = "Address: Jhuggi No.78/A, Pocket 7, J.J. Colony. Old No. 22, New No. 123, Pillaiyar Koil Street. F-32, Wing C"
    for word in ("Jhuggi No.78/A", "Pocket 7", "Old No. 22", "New No. 123", "Wing C"):
        assert covered(text, word), word
    assert spans("The new drug was given; old scars noted on the left wing of sacrum.") == []


def test_devanagari_landmarks_house_numbers_and_police_stations() -> None:
    text = "पता - म.नं. 29, मोहल्ला काजीटोला, हनुमान मंदिर के पास, लखीमपुर खीरी - ४७६०५३\nग्राम व पोस्ट सकरन, वार्ड नं. १९, थाना सिधौली,"
    for word in ("म.नं. 29", "मोहल्ला काजीटोला", "हनुमान मंदिर", "लखीमपुर खीरी", "४७६०५३", "वार्ड नं. १९", "सिधौली"):
        assert covered(text, word), word
    # "के पास" after ordinary words of a sentence: no landmark, and no number after "मकान".
    assert spans("मरीज को दर्द है और वह डॉक्टर के पास गया।") == []


def test_devanagari_hospital_names() -> None:
    text = "राजकीय मेडिकल कॉलेज बहराइच में भर्ती। प्राथमिक स्वास्थ्य केंद्र हरगांव से रेफर। जिला महिला चिकित्सालय गोंडा में।"
    for word in ("राजकीय मेडिकल कॉलेज बहराइच", "प्राथमिक स्वास्थ्य केंद्र हरगांव", "जिला महिला चिकित्सालय गोंडा"):
        assert covered(text, word), word
    assert spans("मरीज को अस्पताल में भर्ती किया गया।") == []


def test_police_station_and_form_fields_in_mixed_case() -> None:
    text = "Intimation sent to PS Jewargi. Pick-up: Lakhasar, near Kali Mandir. Anganwadi: Jogiya-2, AWW Sunita"
    for word in ("Jewargi", "Lakhasar", "Jogiya"):
        assert covered(text, word), word
    assert spans("Tab Ondansetron 4 mg PO SOS. Pick-up: delayed by traffic.") == []


def test_landmarks_after_near_end_at_a_comma() -> None:
    text = "RTA near cold storage, Kukdeshwar. Clinic near Govt. Girls School, Tehsil Dindori. NEAR CHURCH OF ST. THOMAS, SONBARSA"
    for word in ("cold storage", "Govt. Girls School", "CHURCH OF ST. THOMAS", "Kukdeshwar"):
        assert covered(text, word), word
    assert spans("Patient kept near the nurses station, stable.") == []


def test_home_town_words_motion_words_and_table_cells() -> None:
    text = "Sasural Roopwas (Bharatpur) mein, maika Pipariya. ooru Salooni. fall from roof at Mawphlang | ok\n| Benipatti, Araria |"
    for word in ("Roopwas", "Pipariya", "Salooni", "Mawphlang", "Benipatti"):
        assert covered(text, word), word
    assert spans("Ghar par aaram karein. Sasural mein sab theek hai.") == []


def test_address_continued_on_an_indented_line_and_short_cues() -> None:
    text = "Address: H-253\n         Chamrauti\n         Sehore-207097\nADD=Jhandutta, Jila Kangra\nRESI: #87-B GWALTOLI"
    for word in ("H-253", "Chamrauti", "Jhandutta", "#87-B"):
        assert covered(text, word), word
    assert spans("Add: Tab Metformin 500 mg\nWard 7, Bed 12") == []


def test_address_runs_leave_out_field_and_next_words() -> None:
    text = "VILL BELSAND PO BELSAND PS MANER DIST BUXAR REF FROM CIVIL HOSPITAL VADASERI"
    assert covered(text, "BUXAR") and not covered(text, "REF")
    form = "Village: Purul  Sub-centre: Hirebagewadi  PHC Chizami\nR/o Vill. Bhojpur Kalan, PS Sujangarh"
    assert covered(form, "Purul") and not covered(form, "Sub-centre") and covered(form, "Bhojpur Kalan")
    assert not covered(form, "Vill")


def test_two_hospitals_joined_by_and_stay_apart() -> None:
    text = "Seen earlier at Anugraha Nursing Home and Civil Hospital Wadgaon; stable."
    assert covered(text, "Anugraha Nursing Home") and covered(text, "Civil Hospital Wadgaon")
    assert not covered(text, "and")
    assert covered("Admitted to Tata Memorial Hospital and Research Centre.", "Research Centre")


def test_sub_centre_before_its_village() -> None:
    assert covered("Village: Lakhasar  Sub-centre Ratanpura\nASHA: Kamli", "Sub-centre Ratanpura")
    assert not covered("Referred to the Sub-centre for follow-up.", "Sub-centre")


def test_place_before_a_field_word_and_after_of() -> None:
    text = "Omana, 72, Mannanal House, Kanjirappally P.O., Idukki Dist. Zothanpuia, 64/F, of Mawprem, Aizawl.\nLane-9,"
    for word in ("Kanjirappally", "Mawprem", "Lane-9"):
        assert covered(text, word), word
    assert not covered("Tab. Paracetamol P.O. given; wound Dist. clean", "Paracetamol")
