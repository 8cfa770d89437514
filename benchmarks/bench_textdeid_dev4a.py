"""A TUNING set (round 4, set "dev4a") for clinical-note de-identification: Indian ADDRESSES and LOCATIONS
written in regional habits the earlier tuning sets lack, inside registration forms, OPD slips, discharge
summaries, referral letters and nursing notes.

    python benchmarks/bench_textdeid_dev4a.py   # writes benchmarks/data/textdeid_dev4a.jsonl

Styles: South Indian ("#12, 3rd Cross, 5th Main, Jayanagar 4th Block", "No. 14/2, Pillaiyar Koil Street",
"Door No. 4-5-123/A", "D.No. 12-3-45", Kerala house names with "P.O.", taluk/firka/hobli/mandal, tandas);
Maharashtra/Gujarat ("At/Post", "At-Po-", "Mu. Po.", "Tal.", chawls, rooms, CHS, wings, pols); East and
North-East ("Vill-X, PO-Y, PS-Z, Dist-W, Pin-", "P.O. & P.S.", mouza, tola, sahi, "At/PO", vengs, leikais);
North (Delhi JJ colonies, RZ-/WZ- numbers, jhuggis, Punjab VPO and kothis, Rajasthan dhanis and bastis,
Kashmir mohallas); hospitals of every kind (PHC/CHC/SDH/Sadar/Civil/District/Taluk/Area/Referral/Rural,
medical colleges, ESIC, Railway, Cantonment, trust and private hospitals with Indic words), in capitals
and with abbreviations. Names are written as each region writes them (Tamil initials, Telugu surname
first, Marathi/Gujarati father's-name middles, Meitei surname first, Mizo single names, Kashmiri
Ghulam/Mohammad forms). Pools were typed by hand for this file.

Label conventions (as in bench_textdeid_dev3.py): field words (Vill., P.O., P.S., Tal., Dist., At/Post,
Taluk, Hobli, Mandal, VPO) stay outside LOCATION spans; house/room/flat/door numbers carry their word
inside the ADDRESS span; localities, streets, crosses, mains, chawls, societies, wings, mohallas, dhanis
and tandas are ADDRESS, one span per comma-separated part; hospital names are whole HOSPITAL spans.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_textdeid_corpus import OUT, Gen, cycle_notes, write_gold
from bench_textdeid_templates import Pools

# ---- names, by region -------------------------------------------------------------------------------
TN_FIRST = ("Mariappan", "Karuppasamy", "Pechiammal", "Valliammai", "Thayammal", "Sivagami", "Murugesan",
            "Ponnuthai", "Selvaraj", "Chinnaponnu", "Arumugam", "Kaliammal", "Veerappan", "Muniyandi")
TN_INIT = ("K.", "M.", "S.", "R.", "P.", "V.", "A.", "T.", "N.")
TE_SURNAME = ("Bandaru", "Gollapudi", "Yarlagadda", "Nallamothu", "Pasupuleti", "Kotagiri", "Bommireddy",
              "Chelluri", "Vemulapalli", "Dokku")
TE_FIRST = ("Satyanarayana", "Pullaiah", "Venkatalakshmi", "Yadagiri", "Ramulu", "Kamalamma", "Nagamani",
            "Suryakantham", "Apparao", "Veeraiah")
KA_FIRST = ("Hanumanthappa", "Basavaraj", "Siddalingaiah", "Puttamma", "Eeranna", "Rangamma", "Yellamma",
            "Nagamma", "Chikkanna", "Thimmaiah")
KA_LAST = ("Gowda", "Hiremath", "Kambar", "Talawar", "Hosamani", "Doddamani", "Pujar")
KL_FIRST = ("Aleyamma", "Kunjumon", "Saramma", "Kochuthresia", "Unnikrishnan", "Sreekumari", "Raveendran",
            "Leelamma", "Shiju", "Sosamma", "Kuttappan", "Omana")
KL_LAST = ("Eapen", "Tharakan", "Pothen", "Mathai", "Kunjachan", "Ezhuthachan", "Vellodi", "Moopan", "Pillai")
MH_FIRST = ("Dattatray", "Pandurang", "Sopan", "Bhikaji", "Tukaram", "Sindhubai", "Jijabai", "Kondiba",
            "Shevanta", "Yamunabai", "Hirabai", "Nivrutti", "Bhagubai", "Rakhmabai")
MH_LAST = ("Dhumal", "Kolekar", "Shelar", "Waghmare", "Zende", "Kharat", "Ghuge", "Tambe", "Chorge", "Khandagale",
           "Bhalerao", "Avhad")
GJ_FIRST = ("Bhikhabhai", "Jashodaben", "Kantaben", "Manibhai", "Dahyabhai", "Hansaben", "Jivabhai", "Lilaben",
            "Revaben", "Natvarlal", "Kanjibhai", "Dhuliben")
GJ_LAST = ("Vankar", "Rabari", "Makwana", "Thakor", "Bharwad", "Limbachiya", "Panchal", "Solanki", "Chauhan")
EA_FIRST = ("Sukru", "Lakhindar", "Jitu", "Somari", "Etwari", "Budhu", "Sahdeo", "Bishnupriya", "Nityananda",
            "Gobinda", "Sabitri", "Khirod", "Haripada", "Jharna", "Paltu", "Phulmani", "Birsa", "Sukhmati")
EA_LAST = ("Mahto", "Tudu", "Soren", "Marandi", "Munda", "Toppo", "Lakra", "Kujur", "Mallick", "Swain",
           "Barik", "Parida", "Haldar", "Sardar", "Pramanik", "Bauri", "Samal", "Rout")
NE_MIZO = ("Lalremruati", "Zothanpuia", "Lalthanzuala", "Vanlalruati", "Lalrinpuii", "Malsawmtluanga")
NE_MIZO_LAST = ("Ralte", "Hnamte", "Khiangte", "Chhangte")
NE_KHASI_FIRST = ("Banteilang", "Iaishah", "Wanphrang", "Dapbiang", "Ibashisha", "Shanbor")
NE_KHASI_LAST = ("Kharkongor", "Lyngdoh", "Syiem", "Marbaniang", "Nongrum", "Rymbai")
NE_MEITEI_LAST = ("Ningthoujam", "Laishram", "Khumanthem", "Thokchom", "Yumnam")
NE_MEITEI_FIRST = ("Thoiba", "Tomba", "Ibemhal", "Sanatombi", "Ibochouba", "Memcha")
NE_NAGA_FIRST = ("Neikhrielie", "Vikhozo", "Kevichusa", "Imtisunep", "Temjenmenla")
NE_NAGA_LAST = ("Angami", "Sangtam", "Kikon", "Jamir", "Longkumer")
AS_FIRST = ("Bhogeswar", "Dimbeswar", "Pranjal", "Rupjyoti", "Nabajyoti", "Jonali", "Moromi", "Hiramoni")
AS_LAST = ("Gogoi", "Bordoloi", "Kalita", "Boro", "Deka", "Rabha", "Saharia", "Konwar")
PB_FIRST = ("Balwinder", "Gurnam", "Jaswinder", "Harbhajan", "Charanjit", "Kulwant", "Resham", "Mohinder",
            "Sukhdev", "Gurmeet", "Jasvir")
PB_LAST = ("Dhillon", "Brar", "Sidhu", "Bajwa", "Cheema", "Virk", "Aulakh", "Sekhon")
RJ_FIRST = ("Bhanwarlal", "Mangilal", "Pemaram", "Bhagirath", "Dhapu", "Kesar", "Gattu", "Bhomaram", "Tulchharam",
            "Santu")
RJ_LAST = ("Meghwal", "Bishnoi", "Gurjar", "Kumawat", "Bairwa", "Sansi", "Bhil", "Godara")
KS_FIRST = ("Ghulam", "Mushtaq", "Shabir", "Fayaz", "Shameema", "Haleema", "Rafiqa", "Manzoor", "Nazir", "Zoona")
KS_MID = ("Mohammad", "Ahmad", "Rasool", "Nabi", "Qadir", "Hassan")
KS_LAST = ("Wani", "Dar", "Lone", "Ganai", "Rather", "Khanday", "Bhat", "Mir", "Sofi", "Parray")
DL_FIRST = ("Pappu", "Sonu", "Chhotu", "Jhuma", "Rinki", "Phoolwati", "Bhola", "Kallu")
DL_LAST = ("Valmiki", "Jatav", "Sahni", "Nishad", "Balmiki", "Kori")

# ---- places, by region (LOCATION = village/town/tehsil/district/state; ADDRESS = locality, street...) ----
TN_VILL = ("Thiruvaiyaru", "Papanasam", "Vadaseri", "Kilvelur", "Thirukattupalli", "Pudupattinam", "Alangudi",
           "Orathanadu", "Eraiyur", "Kallakurichi", "Ulundurpet", "Vandavasi", "Gudiyatham")
TN_DIST = ("Thanjavur", "Tiruvarur", "Nagapattinam", "Pudukkottai", "Villupuram", "Tiruvannamalai", "Vellore")
TN_FIRKA = ("Kandiyur", "Thiruvalampozhil", "Ammapettai", "Melattur", "Sengipatti")
CHN_STREET = ("Pillaiyar Koil Street", "Mariamman Koil Street", "Ellaiamman Koil St.", "Kamarajar Salai",
              "Periyar Street", "2nd Main Road", "Vinayagar Koil Street", "Karpagambal Nagar 3rd Street")
CHN_LOC = ("Mylapore", "Triplicane", "Choolaimedu", "Perambur", "Tondiarpet", "Kodungaiyur", "Saidapet",
           "West Mambalam", "Pallikaranai", "Madipakkam")
BLR_LOC = ("Jayanagar 4th Block", "Vijayanagar 2nd Stage", "BTM 2nd Stage", "Hanumanthanagar",
           "Basaveshwaranagar", "Rajajinagar 3rd Block", "Kathriguppe", "Chikkalasandra", "Konanakunte",
           "Yelachenahalli", "Kengeri Satellite Town")
KA_VILL = ("Doddaballapur", "Chintamani", "Malur", "Kunigal", "Tiptur", "Arsikere", "Holalkere", "Hiriyur",
           "Nelamangala", "Bagepalli", "Gudibande")
KA_HOBLI = ("Kasaba", "Sasalu", "Kolur", "Madhugiri", "Thyamagondlu")
KA_DIST = ("Tumakuru", "Chikkaballapur", "Kolar", "Chitradurga", "Hassan", "Ramanagara")
HYD_LOC = ("Kachiguda", "Chikkadpally", "Musheerabad", "Malakpet", "Falaknuma", "Boduppal", "Uppuguda",
           "Bowenpally", "Moosapet", "Chandrayangutta")
AP_STREET = ("Kummari Veedhi", "Brahmana Veedhi", "Chakali Peta", "Relangi Vari Veedhi", "Kotha Peta",
             "Gandhi Bomma Centre", "Rajaka Veedhi", "Ramalayam Street")
AP_TOWN = ("Nandigama", "Jaggayyapeta", "Tiruvuru", "Kovvur", "Narsapur", "Palakol", "Tanuku", "Ponnur",
           "Chilakaluripet", "Vinukonda")
AP_DIST = ("Krishna", "West Godavari", "Guntur", "Prakasam", "East Godavari")
TS_MANDAL = ("Zaheerabad", "Jangaon", "Huzurabad", "Kodad", "Devarakonda", "Achampet", "Narayankhed", "Utnoor")
TS_DIST = ("Sangareddy", "Nalgonda", "Nagarkurnool", "Adilabad", "Mahabubabad", "Suryapet")
TANDA = ("Bhukya Tanda", "Lambada Thanda", "Dharavath Tanda", "Banothu Tanda", "Ramsingh Tanda", "Gugulothu Thanda")
KL_HOUSE = ("Thekkeveettil", "Puthenpurayil", "Kizhakkemuriyil", "Vadakkedathu", "Padinjarethil", "Kunnumpurath",
            "Mannanal", "Chirayil", "Edappally Parambil", "Plathottathil")
KL_PO = ("Kozhencherry", "Erattupetta", "Kanjirappally", "Vaikom", "Muvattupuzha", "Kothamangalam", "Pampady",
         "Kuravilangad", "Ettumanoor", "Changanassery", "Mallappally", "Ranni")
KL_DIST = ("Kottayam", "Pathanamthitta", "Idukki", "Ernakulam", "Alappuzha", "Thrissur")
MH_VILL = ("Wadgaon", "Nhavara", "Kendur", "Pabal", "Loni Kalbhor", "Uruli Kanchan", "Theur", "Nimgaon Ketki",
           "Saswad", "Jejuri", "Rajuri", "Otur", "Ranjangaon")
MH_TAL = ("Haveli", "Shirur", "Daund", "Indapur", "Junnar", "Ambegaon", "Purandar", "Mulshi", "Bhor", "Velhe")
MH_DIST = ("Pune", "Ahmednagar", "Satara", "Solapur", "Beed", "Osmanabad", "Latur")
MUM_SUB = ("Kurla (W)", "Ghatkopar (E)", "Vikhroli Park Site", "Bhandup (W)", "Kalwa", "Govandi", "Mankhurd",
           "Antop Hill", "Dharavi", "Malwani", "Jogeshwari (E)", "Chembur Camp")
CHAWL = ("Sai Krupa Chawl", "Pandurang Wadi Chawl", "Bhim Nagar Chawl", "Laxmi Niwas Chawl", "Jai Bhavani Chawl",
         "Ramabai Ambedkar Chawl", "Shankar Patil Chawl")
MUM_ROAD = ("LBS Marg", "Station Road", "Agra Road", "Pipeline Road", "Kajupada Road", "Tilak Road")
SOCIETY = ("Shree Ganesh CHS", "Om Sai Apartment", "Navjivan Co-op. Hsg. Society", "Gokul Dham CHS Ltd.",
           "Swapnapurti Apartments", "Mahalaxmi Heights", "Sukhshanti CHS", "Vrindavan Residency")
PUNE_LOC = ("Bibvewadi", "Dhankawadi", "Katraj", "Hadapsar", "Warje Malwadi", "Kothrud", "Sinhagad Road",
            "Sahakar Nagar", "Vadgaon Budruk", "Yerawada")
GJ_VILL = ("Dhandhuka", "Limbdi", "Sayla", "Wadhwan", "Halvad", "Vijapur", "Kadi", "Unjha", "Kheralu", "Vadnagar",
           "Bechraji", "Santalpur")
GJ_DIST = ("Mehsana", "Surendranagar", "Banaskantha", "Sabarkantha", "Patan", "Botad")
GJ_AREA = ("Naroda", "Bapunagar", "Khadia", "Gomtipur", "Vastral", "Amraiwadi", "Odhav", "Rakhial")
GJ_SOC = ("Shivam Tenament", "Gokuldham Society", "Limda Pol", "Dhal ni Pol", "Mota Suthar Vas", "Rabari Vas",
          "Sardar Patel Nagar Society", "Harikrupa Society")
EA_VILL = ("Bikramganj", "Dinara", "Jagdishpur", "Piro", "Tarari", "Sandesh", "Chainpur", "Bishunpur",
           "Ghaghra", "Sisai", "Kamdara", "Torpa", "Belsand", "Runnisaidpur", "Parsa")
EA_PS = ("Bihta", "Maner", "Nawanagar", "Itarhi", "Raghunathpur", "Basia", "Bharno", "Murhu")
EA_DIST = ("Rohtas", "Bhojpur", "Buxar", "Kaimur", "Gumla", "Simdega", "Lohardaga", "Khunti", "Sitamarhi")
TOLA = ("Musahar Toli", "Harijan Tola", "Yadav Tola", "Paswan Tola", "Bhuiyan Toli", "Kharwar Tola")
OD_VILL = ("Nimapara", "Gop", "Kakatpur", "Astaranga", "Balipatna", "Pattamundai", "Rajkanika", "Aul", "Tirtol",
           "Ersama", "Balikuda", "Naugaon")
OD_DIST = ("Puri", "Jagatsinghpur", "Kendrapara", "Cuttack", "Khordha", "Bhadrak")
OD_SAHI = ("Harijan Sahi", "Bada Sahi", "Kumbhar Sahi", "Gouda Sahi", "Bauri Sahi", "Tanti Sahi")
WB_VILL = ("Sonamukhi", "Patrasayer", "Indas", "Khatra", "Ranibandh", "Daspur", "Ghatal", "Chandrakona",
           "Keshpur", "Garbeta", "Kotulpur", "Joypur")
WB_DIST = ("Bankura", "Paschim Medinipur", "Purulia", "Jhargram", "Hooghly")
MOUZA = ("Dakshin Barasat", "Uttar Radhanagar", "Gopinathpur", "Kismat Bajkul", "Chak Ramnagar", "Paschim Sarberia")
NE_VILL = ("Mawkyrwat", "Nongstoin", "Mairang", "Sohra", "Amlarem", "Champhai", "Kolasib", "Serchhip", "Moirang",
           "Kakching", "Pfutsero", "Tuensang", "Sipajhar", "Kalaigaon", "Tihu", "Bihpuria", "Dhakuakhana", "Moranhat",
           "Zunheboto", "Khliehriat")
NE_DIST = ("West Khasi Hills", "East Jaintia Hills", "Lunglei", "Thoubal", "Bishnupur", "Phek", "Mokokchung",
           "Darrang", "Nalbari", "Lakhimpur", "Sivasagar", "Ri-Bhoi")
NE_STATE = ("Meghalaya", "Mizoram", "Manipur", "Nagaland", "Assam")
NE_LOC = ("Chaltlang Dawrkawn", "Ramhlun North", "Mission Veng", "Dawrpui Vengthar", "Laitumkhrah", "Mawprem",
          "Nongmynsong", "Sagolband Moirang Leirak", "Keishampat Leimajam Leikai", "Uripok Kaidem Leikai",
          "Midland Colony", "Chandmari", "Kharghuli")
NE_TOWN = ("Aizawl", "Shillong", "Imphal", "Kohima", "Tura", "Dimapur")
DL_LOC = ("Bawana", "Sawda Ghevra", "Sultanpuri", "Mangolpuri", "Madanpur Khadar", "Dakshinpuri", "Trilokpuri",
          "Seemapuri", "Bhalswa", "Holambi Kalan")
DL_COL = ("Mahavir Enclave Part-3", "Sadh Nagar-II", "Raj Nagar Part-II", "Vishnu Garden", "Indira Park",
          "Nihal Vihar", "Prem Nagar-III", "Tughlakabad Extn.")
PB_VILL = ("Ghudda", "Bhucho Mandi", "Rampura Phul", "Jaitu", "Bagha Purana", "Nihal Singh Wala", "Dharamkot",
           "Makhu", "Jalalabad", "Lehra Gaga", "Talwandi Sabo", "Bhikhi")
PB_DIST = ("Bathinda", "Faridkot", "Moga", "Ferozepur", "Sangrur", "Barnala", "Mansa", "Fazilka")
PB_SECTOR = ("Phase 3B2", "Phase 7", "Sector 70", "Urban Estate Phase-II", "Model Town Extn.", "Ajit Road")
RJ_VILL = ("Osian", "Bilara", "Pipar", "Shergarh", "Balesar", "Sojat", "Jaitaran", "Makrana", "Ladnun", "Didwana",
           "Sanchore", "Chohtan", "Sindhari")
RJ_DIST = ("Barmer", "Jalore", "Sirohi", "Pali", "Nagaur", "Jodhpur", "Phalodi")
DHANI = ("Dhani Bishnoiyan", "Meghwalon ki Dhani", "Dhani Godaran", "Jaton ki Dhani", "Bhilon ki Basti",
         "Kumharon ki Basti", "Rebari Dhani")
KS_MOH = ("Mohalla Syedpora", "Dar Mohalla", "Bhat Mohalla", "Mohalla Khanpora", "Mir Mohalla", "Malik Angan",
          "Mohalla Wanigam")
KS_TOWN = ("Sopore", "Handwara", "Bandipora", "Tral", "Pampore", "Shopian", "Bijbehara", "Kulgam", "Ganderbal",
           "Kangan", "Kreeri")
KS_DIST = ("Baramulla", "Kupwara", "Pulwama", "Anantnag", "Budgam")
LANDMARK = ("Pillaiyar Koil", "Ganesh Mandir", "Vinayaka Talkies", "Panchayat Office", "Gram Panchayat Bhavan",
            "Sai Baba Mandir", "Masjid-e-Noor", "Gurdwara Singh Sabha", "Durga Mandap", "Kali Mandir", "Namghar",
            "Water Tank", "Ration Shop", "Milk Dairy", "Hanuman Temple", "Church of St. Thomas", "Jumma Masjid",
            "Bus Depot", "Old Post Office")

# ---- hospitals -----------------------------------------------------------------------------------------
PRIVATE_HOSP = ("Sri Kanaka Durga Nethralaya", "Amrutha Hrudayalaya", "Marwari Seva Sadan",
                "Jeevan Rekha Chikitsalaya", "Shri Ram Aspatal", "Maa Mangala Nursing Home", "Matrusewa Maternity Home",
                "Sanjivani Polyclinic", "Sushrusha Nursing Home", "Kamdhenu Seva Sadan", "Arogya Mandir Hospital",
                "Sri Lakshmi Narasimha Arogyalaya", "Annapoorna Hrudayalaya", "Jeevandeep Maternity & Nursing Home",
                "Swasthya Chikitsalaya", "Dhanvantari Arogya Kendra", "Kalyani Seva Sadan", "Nirmala Matha Hospital",
                "Little Flower Hospital", "Bishop Benziger Hospital", "Janseva Aspatal", "Mahavir Jain Chikitsalaya",
                "Sankalp Polyclinic", "Anugraha Nursing Home", "Mother Teresa Maternity Home",
                "SREE NARAYANA ARYA VAIDYASALA", "Karunya Hrudayalaya")
TRAPS_WARD = ("Ward 7", "Female Medical Ward", "SNCU", "Labour Room", "NRC", "Casualty", "OT-2", "ICU Bed 4",
              "Post-op Ward", "Main OT", "Male Surgical Ward, Bed 14", "Block B ward")
DRUGS = ("Dolo 650", "Metrogyl", "Cifran", "Rantac", "Inj. Tetanus Toxoid", "ORS", "Iron Folic Acid", "Albendazole",
         "Chloroquine", "Artesunate", "Cotrimoxazole", "Amoxyclav", "Inj. Oxytocin", "Misoprostol", "Deriphyllin")
EPONYMS = ("Koplik's spots", "Kussmaul breathing", "Battle's sign", "Trousseau's sign", "Bell's palsy",
           "Hansen's disease", "Pott's disease", "Hirschsprung's disease", "Wernicke's encephalopathy")

ALL_FIRST = tuple(dict.fromkeys(TN_FIRST + TE_FIRST + KA_FIRST + KL_FIRST + MH_FIRST + GJ_FIRST + EA_FIRST + NE_MIZO
                                + NE_KHASI_FIRST + NE_MEITEI_FIRST + NE_NAGA_FIRST + AS_FIRST + PB_FIRST + RJ_FIRST
                                + KS_FIRST + DL_FIRST))
ALL_LAST = tuple(dict.fromkeys(TE_SURNAME + KA_LAST + KL_LAST + MH_LAST + GJ_LAST + EA_LAST + NE_MIZO_LAST
                               + NE_KHASI_LAST + NE_MEITEI_LAST + NE_NAGA_LAST + AS_LAST + PB_LAST + RJ_LAST + KS_LAST
                               + DL_LAST))
ALL_TOWNS = tuple(dict.fromkeys(TN_VILL + KA_VILL + AP_TOWN + KL_PO + MH_VILL + GJ_VILL + EA_VILL + OD_VILL + WB_VILL
                                + NE_VILL + PB_VILL + RJ_VILL + KS_TOWN))

POOLS = Pools(
    first=ALL_FIRST,
    middle=("Kumar", "Prasad", "Bai", "Devi", "Chandra", "Lal"),
    last=ALL_LAST,
    deva_first=("भंवरलाल", "मांगीलाल", "धापू", "सुकरू", "एतवारी"),
    deva_last=("मेघवाल", "बिश्नोई", "महतो", "मुंडा"),
    hospitals=PRIVATE_HOSP,
    hosp_codes=("GMCH", "SDHN", "ESIC", "CHCB", "RIMS", "MSS"),
    cities=ALL_TOWNS,
    states=("Kerala", "T.N.", "Karnataka", "A.P.", "Telangana", "Maharashtra", "Gujarat", "Bihar", "Jharkhand",
            "Odisha", "W.B.", "Punjab", "Rajasthan", "J&K", "Assam", "Meghalaya"),
    localities=CHN_LOC + BLR_LOC + HYD_LOC + PUNE_LOC + GJ_AREA,
    drugs=DRUGS,
    eponyms=EPONYMS,
)

DEGREES = ("MBBS", "MBBS, MD (Gen. Med.)", "MS (OBG)", "MBBS, DCH", "DNB (Ortho)", "MD (Paed.)", "BAMS", "BHMS",
           "MBBS, DA")


def _ordinal(k: int) -> str:
    return f"{k}{'th' if 10 <= k % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"


class Dev4aGen(Gen):
    """The corpus generator's slots plus regional name, address, place and hospital slots."""

    def _hosp_gov(self) -> str:
        r, pk = self.r, self.pick
        town = pk(ALL_TOWNS)
        dist = pk(TN_DIST + KA_DIST + MH_DIST + GJ_DIST + EA_DIST + OD_DIST + WB_DIST + PB_DIST + RJ_DIST + KS_DIST
                  + KL_DIST + TS_DIST)
        forms = [f"PHC {town}", f"P.H.C. {town}", f"Primary Health Centre {town}", f"CHC {town}", f"C.H.C. {town}",
                 f"Community Health Centre, {town}", f"SDH {town}", f"Sub-Divisional Hospital {town}",
                 f"Sadar Hospital {dist}", f"Civil Hospital {town}", f"District Hospital {dist}",
                 f"Distt. Hospital {dist}", f"Taluk Hospital {town}", f"Taluk Headquarters Hospital {town}",
                 f"Area Hospital {town}", f"Referral Hospital {town}", f"Rural Hospital {town}", f"UPHC {pk(DL_LOC)}",
                 f"APHC {town}", f"Govt. Medical College & Hospital, {dist}", f"Government Medical College {dist}",
                 f"GMC {dist}", f"ESIC Hospital {pk(PUNE_LOC + HYD_LOC + CHN_LOC)}",
                 f"ESIC Model Hospital, {pk(BLR_LOC)}", f"Divisional Railway Hospital {town}",
                 f"Central Railway Hospital, {pk(MUM_SUB)}", f"Cantonment General Hospital {town}",
                 f"Govt. Hospital {town}", f"GH {town}", f"Zonal Hospital {town}", f"Sub District Hospital {town}",
                 f"Sub Health Centre {town}", f"Mission Hospital {town}"]
        return r.choice(forms)

    def _tn_name(self) -> str:
        r, pk = self.r, self.pick
        return r.choice([f"{pk(TN_INIT)} {pk(TN_FIRST)}", f"{pk(TN_FIRST)} {pk(TN_INIT)}",
                         f"{pk(TN_INIT)}{pk(TN_INIT)} {pk(TN_FIRST)}", f"{pk(TN_FIRST)}"])

    def _south_name(self) -> str:
        r, pk = self.r, self.pick
        return r.choice([self._tn_name(), f"{pk(TE_SURNAME)} {pk(TE_FIRST)}", f"{pk(TE_FIRST)} {pk(TE_SURNAME)}",
                         f"{pk(KA_FIRST)} {pk(KA_LAST)}", f"{pk(KA_FIRST)}", f"{pk(KL_FIRST)} {pk(KL_LAST)}",
                         f"{pk(KL_FIRST)} {pk(TN_INIT)[0]}.{pk(TN_INIT)}"])

    def _west_name(self) -> str:
        r, pk = self.r, self.pick
        return r.choice([f"{pk(MH_FIRST)} {pk(MH_FIRST)} {pk(MH_LAST)}", f"{pk(MH_LAST)} {pk(MH_FIRST)} {pk(MH_FIRST)}",
                         f"{pk(MH_FIRST)} {pk(MH_LAST)}", f"{pk(GJ_FIRST)} {pk(GJ_FIRST)} {pk(GJ_LAST)}",
                         f"{pk(GJ_FIRST)} {pk(GJ_LAST)}"])

    def _east_name(self) -> str:
        r, pk = self.r, self.pick
        return r.choice([f"{pk(EA_FIRST)} {pk(EA_LAST)}", f"{pk(EA_FIRST)} Devi", f"{pk(EA_FIRST)} {pk(EA_LAST)}",
                         f"{pk(EA_FIRST)} Kumar {pk(EA_LAST)}", f"{pk(EA_FIRST)}"])

    def _ne_name(self) -> str:
        r, pk = self.r, self.pick
        return r.choice([pk(NE_MIZO), f"{pk(NE_MIZO)} {pk(NE_MIZO_LAST)}", f"{pk(NE_KHASI_FIRST)} {pk(NE_KHASI_LAST)}",
                         f"{pk(NE_MEITEI_LAST)} {pk(NE_MEITEI_FIRST)} Singh", f"{pk(NE_MEITEI_LAST)} {pk(NE_MEITEI_FIRST)} Devi",
                         f"{pk(NE_NAGA_FIRST)} {pk(NE_NAGA_LAST)}", f"{pk(AS_FIRST)} {pk(AS_LAST)}"])

    def _north_name(self) -> str:
        r, pk = self.r, self.pick
        return r.choice([f"{pk(PB_FIRST)} Singh", f"{pk(PB_FIRST)} Kaur", f"{pk(PB_FIRST)} Singh {pk(PB_LAST)}",
                         f"{pk(RJ_FIRST)} {pk(RJ_LAST)}", f"{pk(RJ_FIRST)}", f"{pk(KS_FIRST)} {pk(KS_MID)} {pk(KS_LAST)}",
                         f"{pk(KS_FIRST)} {pk(KS_LAST)}", f"{pk(DL_FIRST)} {pk(DL_LAST)}", f"{pk(DL_FIRST)}"])

    def slot(self, name: str) -> tuple[str, str | None]:
        r, pk = self.r, self.pick
        n = r.randint
        A, L, N, H = "ADDRESS", "LOCATION", "NAME", "HOSPITAL"
        extra = {
            # names
            "SNAME": lambda: (self._south_name(), N), "TNNAME": lambda: (self._tn_name(), N),
            "TENAME": lambda: (f"{pk(TE_SURNAME)} {pk(TE_FIRST)}", N),
            "KLNAME": lambda: (f"{pk(KL_FIRST)} {pk(KL_LAST)}", N), "KLFIRST": lambda: (pk(KL_FIRST), N),
            "KANAME": lambda: (f"{pk(KA_FIRST)} {pk(KA_LAST)}", N), "SFIRST": lambda: (pk(TN_FIRST + KA_FIRST + TE_FIRST), N),
            "WNAME": lambda: (self._west_name(), N), "MHFIRST": lambda: (pk(MH_FIRST), N),
            "MHNAME": lambda: (f"{pk(MH_FIRST)} {pk(MH_FIRST)} {pk(MH_LAST)}", N),
            "GJNAME": lambda: (f"{pk(GJ_FIRST)} {pk(GJ_FIRST)} {pk(GJ_LAST)}", N), "GJFIRST": lambda: (pk(GJ_FIRST), N),
            "ENAME": lambda: (self._east_name(), N), "EFIRST": lambda: (pk(EA_FIRST), N),
            "NENAME": lambda: (self._ne_name(), N), "NEFIRST": lambda: (pk(NE_MIZO + NE_KHASI_FIRST + AS_FIRST), N),
            "NNAME": lambda: (self._north_name(), N),
            "PBNAME": lambda: (f"{pk(PB_FIRST)} {r.choice(['Singh', 'Kaur'])}", N),
            "PBFIRST": lambda: (pk(PB_FIRST), N),
            "RJNAME": lambda: (f"{pk(RJ_FIRST)} {pk(RJ_LAST)}", N), "RJFIRST": lambda: (pk(RJ_FIRST), N),
            "KSNAME": lambda: (f"{pk(KS_FIRST)} {pk(KS_MID)} {pk(KS_LAST)}", N),
            "DLNAME": lambda: (f"{pk(DL_FIRST)} {pk(DL_LAST)}", N), "DLFIRST": lambda: (pk(DL_FIRST), N),
            "DOC": lambda: (r.choice([f"{pk(ALL_FIRST)} {pk(ALL_LAST)}", f"{pk(ALL_FIRST)[0]}. {pk(ALL_LAST)}",
                                      f"{pk(TN_INIT)} {pk(TN_FIRST)}"]), N),
            # south
            "HASHNO": lambda: (r.choice([f"#{n(1, 999)}", f"# {n(1, 99)}/{n(1, 9)}", f"#{n(1, 99)}-{n(1, 40)}"]), A),
            "CROSS": lambda: (r.choice([f"{_ordinal(n(1, 18))} Cross", f"{_ordinal(n(1, 12))} 'A' Cross",
                                        f"{_ordinal(n(1, 9))} Cross Road"]), A),
            "MAIN": lambda: (r.choice([f"{_ordinal(n(1, 14))} Main", f"{_ordinal(n(1, 9))} Main Road"]), A),
            "BLRLOC": lambda: (pk(BLR_LOC), A),
            "BLRCITY": lambda: (r.choice(["Bengaluru", "Bangalore", "Mysuru", "Tumakuru"]), L),
            "DOORNO": lambda: (r.choice([f"No. {n(1, 99)}/{n(1, 9)}", f"No.{n(1, 150)}", f"Old No. {n(1, 60)}, New No. {n(61, 200)}"]), A),
            "CHNSTREET": lambda: (pk(CHN_STREET), A), "CHNLOC": lambda: (pk(CHN_LOC), A),
            "TNCITY": lambda: (r.choice(["Chennai", "Madras", "Kumbakonam", "Tiruchirappalli", "Thanjavur"]), L),
            "DNO": lambda: (r.choice([f"Door No. {n(1, 9)}-{n(1, 9)}-{n(1, 300)}/{r.choice('ABCD')}",
                                      f"D.No. {n(1, 30)}-{n(1, 9)}-{n(1, 99)}", f"D.No.{n(1, 30)}-{n(1, 40)}",
                                      f"H.No. {n(1, 22)}-{n(1, 9)}-{n(1, 999)}/{n(1, 9)}"]), A),
            "HYDLOC": lambda: (pk(HYD_LOC), A),
            "HYDCITY": lambda: (r.choice(["Hyderabad", "Secunderabad"]), L),
            "APSTREET": lambda: (pk(AP_STREET), A), "APTOWN": lambda: (pk(AP_TOWN), L), "APDIST": lambda: (pk(AP_DIST), L),
            "TNVILL": lambda: (pk(TN_VILL), L), "TNDIST": lambda: (pk(TN_DIST), L), "FIRKA": lambda: (pk(TN_FIRKA), L),
            "KAVILL": lambda: (pk(KA_VILL), L), "HOBLI": lambda: (pk(KA_HOBLI), L), "KADIST": lambda: (pk(KA_DIST), L),
            "TANDA": lambda: (pk(TANDA), A), "TSMANDAL": lambda: (pk(TS_MANDAL), L), "TSDIST": lambda: (pk(TS_DIST), L),
            "KLHOUSE": lambda: (r.choice([f"{pk(KL_HOUSE)} House", f"{pk(KL_HOUSE)} (H)", f"{pk(KL_HOUSE)} Veedu", f"{pk(KL_HOUSE)} Veettil"]), A),
            "KLPO": lambda: (pk(KL_PO), L), "KLDIST": lambda: (pk(KL_DIST), L),
            # west
            "MHVILL": lambda: (pk(MH_VILL), L), "MHTAL": lambda: (pk(MH_TAL), L), "MHDIST": lambda: (pk(MH_DIST), L),
            "ROOM": lambda: (r.choice([f"Room No. {n(1, 60)}", f"Room {n(1, 40)}", f"R.No. {n(1, 30)}",
                                       f"Kholi No. {n(1, 50)}"]), A),
            "CHAWL": lambda: (pk(CHAWL), A), "MUMROAD": lambda: (pk(MUM_ROAD), A), "MUMSUB": lambda: (pk(MUM_SUB), A),
            "MUMCITY": lambda: (r.choice(["Mumbai", "Thane", "Navi Mumbai"]), L),
            "FLAT": lambda: (r.choice([f"Flat No. {n(1, 12)}0{n(1, 8)}", f"Flat {n(101, 904)}", f"F-{n(1, 40)}",
                                       f"Block No. {n(1, 40)}"]), A),
            "WING": lambda: (r.choice([f"{r.choice('ABCDE')}-Wing", f"{r.choice('ABCD')} Wing", f"Wing {r.choice('ABC')}",
                                       f"Bldg. No. {n(1, 12)}"]), A),
            "SOCIETY": lambda: (pk(SOCIETY), A), "PUNELOC": lambda: (pk(PUNE_LOC), A),
            "GJVILL": lambda: (pk(GJ_VILL), L), "GJDIST": lambda: (pk(GJ_DIST), L), "GJAREA": lambda: (pk(GJ_AREA), A),
            "GJSOC": lambda: (pk(GJ_SOC), A),
            "GJBLOCK": lambda: (r.choice([f"B/{n(1, 80)}", f"{n(1, 120)}/{r.choice('ABC')}", f"Block No. {n(1, 60)}"]), A),
            "GJCITY": lambda: (r.choice(["Ahmedabad", "Amdavad", "Gandhinagar", "Mehsana"]), L),
            # east and north-east
            "EVILL": lambda: (pk(EA_VILL), L), "EPS": lambda: (pk(EA_PS), L), "EDIST": lambda: (pk(EA_DIST), L),
            "ESTATE": lambda: (r.choice(["Bihar", "Jharkhand", "Jhar.", "Odisha", "W.B."]), L),
            "TOLA": lambda: (pk(TOLA), A), "ODVILL": lambda: (pk(OD_VILL), L), "ODDIST": lambda: (pk(OD_DIST), L),
            "SAHI": lambda: (pk(OD_SAHI), A), "WBVILL": lambda: (pk(WB_VILL), L), "WBDIST": lambda: (pk(WB_DIST), L),
            "MOUZA": lambda: (pk(MOUZA), L), "NEVILL": lambda: (pk(NE_VILL), L), "NEDIST": lambda: (pk(NE_DIST), L),
            "NESTATE": lambda: (pk(NE_STATE), L), "NELOC": lambda: (pk(NE_LOC), A), "NETOWN": lambda: (pk(NE_TOWN), L),
            # north
            "JHUGGI": lambda: (r.choice([f"Jhuggi No. {n(1, 900)}", f"J-{n(1, 400)}", f"Jhuggi No.{n(1, 300)}/{r.choice('ABC')}",
                                         f"{r.choice('ABCDEF')}-{n(1, 500)}"]), A),
            "JJ": lambda: (r.choice(["JJ Colony", "J.J. Colony", "JJ Camp", "Resettlement Colony", "JJR Colony"]), A),
            "BLOCK": lambda: (r.choice([f"{r.choice('ABCDEFGH')}-Block", f"Block {r.choice('ABCDEFGH')}",
                                        f"Pocket {n(1, 12)}"]), A),
            "DLLOC": lambda: (pk(DL_LOC), A), "DLCOL": lambda: (pk(DL_COL), A),
            "RZ": lambda: (r.choice([f"RZ-{n(1, 300)}", f"RZ-{n(1, 99)}/{r.choice('ABC')}", f"WZ-{n(1, 400)}",
                                     f"WZ-{n(1, 99)}{r.choice('ABC')}", f"RZF-{n(1, 900)}/{n(1, 30)}"]), A),
            "GALI": lambda: (r.choice([f"Gali No. {n(1, 20)}", f"Street No. {n(1, 12)}", f"Lane No. {n(1, 9)}"]), A),
            "DLCITY": lambda: (r.choice(["Delhi", "New Delhi", "North West Delhi", "Outer Delhi"]), L),
            "PBVILL": lambda: (pk(PB_VILL), L), "PBDIST": lambda: (pk(PB_DIST), L), "PBSECTOR": lambda: (pk(PB_SECTOR), A),
            "KOTHI": lambda: (r.choice([f"Kothi No. {n(1, 2999)}", f"Kothi No.{n(1, 99)}-{r.choice('AB')}",
                                        f"H.No. {n(100, 3999)}"]), A),
            "PBCITY": lambda: (r.choice(["Mohali", "S.A.S. Nagar", "Ludhiana", "Bathinda", "Patiala"]), L),
            "RJVILL": lambda: (pk(RJ_VILL), L), "RJDIST": lambda: (pk(RJ_DIST), L), "DHANI": lambda: (pk(DHANI), A),
            "KSMOH": lambda: (pk(KS_MOH), A), "KSTOWN": lambda: (pk(KS_TOWN), L), "KSDIST": lambda: (pk(KS_DIST), L),
            "LANDMARK": lambda: (pk(LANDMARK), A),
            # hospitals
            "HGOV": lambda: (self._hosp_gov(), H),
            "HPVT": lambda: (pk(PRIVATE_HOSP), H),
            "HANY": lambda: (r.choice([self._hosp_gov(), pk(PRIVATE_HOSP)]), H),
            # identifiers
            "IPNO": lambda: (r.choice([f"{n(100, 99999)}/{n(2016, 2024)}", f"IP{n(10000, 999999)}",
                                       f"{n(2016, 2024)}-{n(1000, 99999)}"]), "MRN"),
            "ESICNO": lambda: (str(n(10**9, 10**10 - 1)), "MRN"),
            "PINSP": lambda: (r.choice([f"{n(110, 855)} {n(0, 99):03d}", f"{n(110, 855)}{n(0, 99):03d}"]), "PIN"),
            # state names written the regional way (LOCATION, never literal template text)
            "ST_KL": lambda: (r.choice(["Kerala", "Kerala State"]), L), "ST_TN": lambda: (r.choice(["T.N.", "Tamil Nadu", "TN"]), L),
            "ST_AP": lambda: (r.choice(["A.P.", "Andhra Pradesh", "AP"]), L), "ST_TS": lambda: (r.choice(["Telangana", "T.S.", "TS"]), L),
            "ST_MH": lambda: (r.choice(["Maharashtra", "M.S.", "Maharashtra State"]), L), "ST_GJ": lambda: (r.choice(["Gujarat", "Guj."]), L),
            "ST_OD": lambda: (r.choice(["Odisha", "Orissa"]), L), "ST_JK": lambda: (r.choice(["J&K", "J & K", "Jammu & Kashmir"]), L),
            "ST_WB": lambda: (r.choice(["W.B.", "West Bengal", "WB"]), L), "ST_PB": lambda: (r.choice(["Pb.", "Punjab", "PB"]), L),
            "ST_RJ": lambda: (r.choice(["Raj.", "Rajasthan", "RJ"]), L), "PUNE": lambda: (r.choice(["Pune", "Poona", "Pimpri"]), L),
            "REL": lambda: (r.choice(["S/o", "D/o", "W/o", "C/o", "s/o", "w/o"]), None),
            # non-PHI traps
            "DEG": lambda: (pk(DEGREES), None), "WARDT": lambda: (pk(TRAPS_WARD), None),
            "BED": lambda: (str(n(1, 60)), None), "HB": lambda: (f"{n(6, 13)}.{n(0, 9)}", None),
        }
        if name in extra:
            return extra[name]()
        return super().slot(name)


TEMPLATES = [
    # ---- south ----
    ("in", "REGISTRATION FORM\nName: {TNNAME}   Age: {AGE}   Sex: M\nFather's Name: {TNNAME}\nAddress: {DOORNO}, "
           "{CHNSTREET}, {CHNLOC}, {TNCITY} - {PIN}\nMobile: {PHONE_IN}\nUHID: {UHID}"),
    ("en", "Patient {KANAME}, {AGE}/F, w/o {KANAME}, residing at {HASHNO}, {CROSS}, {MAIN}, {BLRLOC}, "
           "{BLRCITY}-{PIN}, was admitted to {WARDT} on {DATE} with {EPONYM}. Cross-matched 2 units PRBC."),
    ("in", "Address: {DNO}, {HYDLOC}, {HYDCITY} - {PIN}. Pt {TENAME} ({AGE}/M) brought by son {SFIRST}, "
           "Cell {PHONE_IN}. Referred from {HGOV}."),
    ("in", "Name: {TENAME}  S/o {TENAME}\n{DNO}, {APSTREET}, {APTOWN}, {APDIST} Dist., {ST_AP}\nIP No: {IPNO}  DOA: {DATE}\n"
           "Diagnosis: Acute gastroenteritis. Rx {DRUG}."),
    ("en", "Discharge summary - {HGOV}\n{KLNAME}, {AGE}, {KLHOUSE}, {KLPO} P.O., {KLDIST} Dist., {ST_KL} - {PIN}. "
           "Bystander: {KLFIRST} (son), Ph {PHONE_IN}. House surgeon on duty noted {EPONYM}."),
    ("in", "{KLNAME}\n{KLHOUSE}\n{KLPO} Post\n{KLDIST} - {PIN}\nAdmitted {DATE} under Dr. {DOC}, {DEG}. Hb {HB} g/dl."),
    ("in", "Vill: {TNVILL}, Post: {TNVILL}, Taluk: {TNVILL}, Firka: {FIRKA}, Dist: {TNDIST}, {ST_TN}. Pt "
           "{TNNAME} aged {AGE} referred by VHN {TNNAME} from {HGOV}."),
    ("en", "{KAVILL} Village, {HOBLI} Hobli, {KAVILL} Taluk, {KADIST} District. Patient {KANAME} seen at "
           "{HGOV} on {DATE}; post-op day 2, wound healthy."),
    ("in", "Pt {SNAME}, {TANDA}, {TSMANDAL} Mandal, {TSDIST} Dist., {ST_TS}. Brought by ASHA {SFIRST}. "
           "Aadhaar {AADHAAR}. Main complaint: fever with chills, {DRUG} started."),
    ("caps", "ADDRESS: {HASHNO}, {MAIN}, {CROSS}, {BLRLOC}, {BLRCITY} {PIN}. REF: {HGOV}. DR {DOC} {DEG}."),
    # ---- west ----
    ("in", "Name: {MHNAME}  Age: {AGE}\nAt/Post {MHVILL}, Tal. {MHTAL}, Dist. {MHDIST} - {PIN}\nMob. {PHONE_IN}\n"
           "Referred from {HGOV} for {EPONYM}."),
    ("in", "Pt {MHNAME} r/o At-Po-{MHVILL}, Ta-{MHTAL}, Ji-{MHDIST}. Relative {MHFIRST} (husband). {DRUG} given."),
    ("in", "Mu. Po. {MHVILL}, Ta. {MHTAL}, Jilha {MHDIST}, {ST_MH}. Informant: {WNAME}, mother. "
           "Delivered at {HPVT} on {DATE}."),
    ("en", "Address: {ROOM}, {CHAWL}, {MUMROAD}, {MUMSUB}, {MUMCITY} - {PIN}. Patient {MHNAME}, {AGE} yrs, "
           "brought to Casualty by neighbour {MHFIRST}. Contact {PHONE_IN}."),
    ("en", "{FLAT}, {WING}, {SOCIETY}, {PUNELOC}, {PUNE} {PINSP}. {WNAME} ({AGE}/F) admitted in {WARDT}; "
           "ESIC IP No. {ESICNO}. Treated at {HGOV}."),
    ("in", "Patient {GJNAME}, Mu. {GJVILL}, Ta. {GJVILL}, Ji. {GJDIST}, {ST_GJ}. Pati {GJFIRST} saathe aavya. "
           "Mo. {PHONE_IN}. {HGOV} thi refer."),
    ("in", "Address: {GJBLOCK}, {GJSOC}, Nr. {LANDMARK}, {GJAREA}, {GJCITY}-{PIN}. Pt {GJNAME}, age {AGE}. "
           "Colony count >10^5 CFU/ml, started {DRUG}."),
    ("caps", "PT {MHNAME} AT POST {MHVILL} TAL {MHTAL} DIST {MHDIST}. ADM {DATE} IN {HGOV}. IPD NO {IPNO}"),
    # ---- east and north-east ----
    ("in", "Name- {ENAME}, {REL} {ENAME}\nVill-{EVILL}, PO-{EVILL}, PS-{EPS}, Dist-{EDIST}, Pin-{PIN}\n"
           "Referred from {HGOV} to {HGOV}. Hb {HB}."),
    ("in", "Mareej {ENAME} ({AGE} saal), gram {EVILL}, {TOLA}, thana {EPS}, zila {EDIST}, {ESTATE}. "
           "Beta {EFIRST} saath mein. {DRUG} diya."),
    ("en", "Patient {ENAME}, Vill. {WBVILL}, P.O. & P.S. {WBVILL}, Dist. {WBDIST} ({ST_WB}). Mouza {MOUZA}. "
           "Attended by {EFIRST} (wife). Seen at {HGOV}; {EPONYM} noted."),
    ("in", "At/PO-{ODVILL}, {SAHI}, Via-{ODVILL}, PS-{ODVILL}, Dist-{ODDIST}, {ST_OD}-{PIN}. Pt {ENAME}. "
           "Admitted at {HGOV} on {DATE}, shifted to SNCU."),
    ("en", "{NENAME}, {AGE}/F, of {NELOC}, {NETOWN}, {NESTATE} - {PIN}, referred from {HGOV} with fever. "
           "Husband {NENAME} contacted on {PHONE_IN}."),
    ("in", "Vill. {NEVILL}, P.O. {NEVILL}, Dist. {NEDIST}, {NESTATE}. Pt {NENAME}, informant {NEFIRST} (sister). "
           "ABHA {ABHA_NUM}. Treated with {DRUG}."),
    ("caps", "NAME {ENAME} VILL {EVILL} PO {EVILL} PS {EPS} DIST {EDIST} REF FROM {HGOV} TO {HGOV} ON {DATE}"),
    # ---- north ----
    ("in", "Address: {JHUGGI}, {BLOCK}, {JJ}, {DLLOC}, {DLCITY}-{PIN}. Pt {DLNAME}, {AGE} yrs, brought by "
           "mother {DLFIRST}. Mob {PHONE_IN}. NRC referral."),
    ("en", "{RZ}, {GALI}, {DLCOL}, {DLLOC}, {DLCITY} - {PIN}. Patient {NNAME} seen in OPD by Dr. {DOC}. "
           "AV block ruled out; {DRUG} continued."),
    ("in", "Name: {PBNAME}  {REL} S. {PBNAME}\nVPO {PBVILL}, Teh. {PBVILL}, Distt. {PBDIST} ({ST_PB})\n"
           "Admitted in {HGOV} on {DATE}. Aadhaar {AADHAAR}."),
    ("en", "Residential address: {KOTHI}, {PBSECTOR}, {PBCITY}. Patient {PBNAME}, {AGE90} yrs, accompanied by "
           "grandson {PBFIRST}. Referred to {HPVT}."),
    ("in", "Pt {RJNAME} {REL} {RJFIRST}, {DHANI}, Gram {RJVILL}, Tehsil {RJVILL}, Zila {RJDIST} ({ST_RJ}). "
           "{HGOV} se refer. Bete {RJFIRST} ka mob {PHONE_IN}."),
    ("in", "Patient {KSNAME}, {REL} {KSNAME}, R/o {KSMOH}, {KSTOWN}, Distt. {KSDIST}, {ST_JK} - {PIN}. "
           "Referred from {HGOV} to tertiary centre. Email {EMAIL}."),
    ("caps", "PT {NNAME} R/O {JHUGGI} {JJ} {DLLOC} {DLCITY}. REF FROM {HGOV}. DR {DOC}."),
    # ---- hospitals of every kind ----
    ("en", "Referral slip\nFrom: Medical Officer, {HGOV}\nTo: Superintendent, {HGOV}\nPatient {SNAME}, G2P1 at 36 "
           "weeks, referred for {EPONYM}. Inj. Oxytocin not given."),
    ("en", "{HPVT}\n(Regd. under Bombay Nursing Homes Act)\nDischarge card - {WNAME}, {AGE}/F, delivered a male child "
           "on {DATE}. Follow-up at {HGOV}."),
    ("caps", "{HGOV}\nDISCHARGE SUMMARY\nNAME: {ENAME}  AGE: {AGE}  IP NO: {IPNO}\nREFERRED FROM {HGOV}"),
    ("en", "Nursing note: pt {NENAME} shifted from {WARDT} to {HGOV} by 108 ambulance; Bed {BED}. "
           "Attendant {NEFIRST} informed. Main OT booked."),
    ("in", "Birth place: {HANY}, {NETOWN}. Mother {NENAME}, father {NENAME}. Regd. No. {IPNO}."),
    ("en", "Seen earlier at {HPVT} and {HGOV}; now at {HANY}, {BED}th day of illness. Consultant Dr. {DOC} ({DEG}). "
           "Post partum, no Battle's sign."),
    ("in", "Pt {SNAME} ({AGE90} yrs), last treated at {HPVT}, {TNCITY}; DOB unknown. Son {SFIRST}, "
           "{DOORNO}, {CHNSTREET}, near {LANDMARK}, {CHNLOC}."),
]


def build(n: int, seed: int) -> list[dict[str, object]]:
    r = random.Random(seed)
    return cycle_notes(TEMPLATES, Dev4aGen(r, POOLS), n, "dev4a", "-dev4a", lambda family: family == "caps" or r.random() < (0.3 if family == "en" else 0.1))


def main() -> None:
    write_gold(OUT / "textdeid_dev4a.jsonl", build(300, 71))


if __name__ == "__main__":
    main()
