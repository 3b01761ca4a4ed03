"""Words the Elasticsearch `indonesian` analyzer must not stem.

The light Indonesian stemmer strips affixes that are part of names:
"Pesawaran" would become "sawar", "Dishub" would become "shub". Region words
are every word of the 38 province and 514 regency and city names in the
Kemendagri region code list of 2025 (decree 300.2.2-2138), without the generic
words "kabupaten", "kota", "provinsi" and "administrasi". OPD words are the
common abbreviations of regional government agencies.
"""

from __future__ import annotations

REGION_WORDS: frozenset[str] = frozenset({
    'abab', 'aceh', 'agam', 'alam', 'alor', 'ambon', 'ampat', 'anambas', 'arfak', 'aru', 'asahan',
    'asmat', 'badung', 'bagian', 'balangan', 'bali', 'balikpapan', 'banda', 'bandar', 'bandung',
    'banggai', 'bangka', 'bangkalan', 'bangli', 'banjar', 'banjarbaru', 'banjarmasin', 'banjarnegara',
    'bantaeng', 'banten', 'bantul', 'banyuasin', 'banyumas', 'banyuwangi', 'bara', 'barat', 'barito',
    'barru', 'batam', 'batang', 'batanghari', 'batu', 'bau', 'bawang', 'bedagai', 'bekasi', 'belitung',
    'belu', 'bener', 'bengkalis', 'bengkayang', 'bengkulu', 'berau', 'besar', 'bharat', 'biak', 'biaro',
    'bima', 'binjai', 'bintan', 'bintang', 'bintuni', 'bireuen', 'bitung', 'blitar', 'blora', 'boalemo',
    'bogor', 'bojonegoro', 'bolaang', 'bolango', 'bombana', 'bondowoso', 'bone', 'bontang', 'boven',
    'boyolali', 'brebes', 'bukittinggi', 'buleleng', 'bulukumba', 'bulungan', 'bumbu', 'bungo', 'buol',
    'buru', 'buton', 'ciamis', 'cianjur', 'cilacap', 'cilegon', 'cimahi', 'cirebon', 'dairi', 'dan',
    'datar', 'daya', 'deiyai', 'deli', 'demak', 'denpasar', 'depok', 'dharmasraya', 'digoel', 'dogiyai',
    'dompu', 'donggala', 'dumai', 'empat', 'ende', 'enim', 'enrekang', 'fak', 'flores', 'garut', 'gayo',
    'gianyar', 'gorontalo', 'gowa', 'gresik', 'grobogan', 'gunung', 'gunungkidul', 'gunungsitoli',
    'halmahera', 'hasundutan', 'hilir', 'hulu', 'humbang', 'ibukota', 'ilir', 'indragiri', 'indramayu',
    'intan', 'jabung', 'jakarta', 'jambi', 'jawa', 'jaya', 'jayapura', 'jayawijaya', 'jember',
    'jembrana', 'jeneponto', 'jepara', 'jombang', 'kaimana', 'kalimantan', 'kampar', 'kanan', 'kapuas',
    'karanganyar', 'karangasem', 'karawang', 'karimun', 'karo', 'kartanegara', 'katingan', 'kaur',
    'kayong', 'kebumen', 'kediri', 'keerom', 'kendal', 'kendari', 'kep', 'kepahiang', 'kepulauan',
    'kerinci', 'ketapang', 'klaten', 'klungkung', 'kolaka', 'komering', 'konawe', 'kotabaru',
    'kotamobagu', 'kotawaringin', 'kuala', 'kuantan', 'kubu', 'kudus', 'kulon', 'kuningan', 'kupang',
    'kutai', 'labuhanbatu', 'lahat', 'lamandau', 'lamongan', 'lampung', 'landak', 'langkat', 'langsa',
    'lanny', 'laut', 'lawang', 'lawas', 'lebak', 'lebong', 'lematang', 'lembata', 'lhokseumawe', 'lima',
    'lingga', 'linggau', 'lombok', 'lubuk', 'lues', 'lumajang', 'luwu', 'madiun', 'magelang', 'magetan',
    'mahakam', 'majalengka', 'majene', 'makassar', 'malaka', 'malang', 'malinau', 'maluku', 'mamasa',
    'mamberamo', 'mamuju', 'manado', 'mandailing', 'mandar', 'manggarai', 'manokwari', 'mappi', 'maros',
    'mas', 'mataram', 'maybrat', 'medan', 'melawi', 'mempawah', 'mentawai', 'merangin', 'meranti',
    'merauke', 'meriah', 'mesuji', 'metro', 'mimika', 'minahasa', 'mojokerto', 'mongondow', 'morotai',
    'morowali', 'moutong', 'muara', 'muaro', 'mukomuko', 'muna', 'murung', 'musi', 'nabire', 'nagan',
    'nagekeo', 'natal', 'natuna', 'ndao', 'nduga', 'ngada', 'nganjuk', 'ngawi', 'nias', 'numfor',
    'nunukan', 'nusa', 'ogan', 'pacitan', 'padang', 'padangsidimpuan', 'pagar', 'pakpak',
    'palangkaraya', 'palembang', 'palopo', 'palu', 'pamekasan', 'pandeglang', 'pangandaran',
    'pangkajene', 'pangkal', 'paniai', 'panjang', 'papua', 'parepare', 'pariaman', 'parigi', 'pasaman',
    'pasangkayu', 'paser', 'pasuruan', 'pati', 'payakumbuh', 'pegunungan', 'pekalongan', 'pekanbaru',
    'pelalawan', 'pemalang', 'pematangsiantar', 'penajam', 'penuh', 'penukal', 'pesawaran', 'pesisir',
    'pidie', 'pinang', 'pinrang', 'pisau', 'pohuwato', 'polewali', 'ponorogo', 'pontianak', 'poso',
    'prabumulih', 'pringsewu', 'probolinggo', 'progo', 'pulang', 'pulau', 'puluh', 'puncak',
    'purbalingga', 'purwakarta', 'purworejo', 'pusat', 'raijua', 'raja', 'rappang', 'rawas', 'raya',
    'rejang', 'rembang', 'riau', 'rokan', 'rote', 'sabang', 'sabu', 'salatiga', 'samarinda', 'sambas',
    'samosir', 'sampang', 'sanggau', 'sangihe', 'sarmi', 'sarolangun', 'sawahlunto', 'sekadau',
    'selatan', 'selayar', 'seluma', 'semarang', 'seram', 'serang', 'serdang', 'seribu', 'seruyan',
    'siak', 'siau', 'sibolga', 'sidenreng', 'sidoarjo', 'sigi', 'sijunjung', 'sikka', 'simalungun',
    'simeulue', 'singingi', 'singkawang', 'singkil', 'sinjai', 'sintang', 'situbondo', 'sleman',
    'solok', 'soppeng', 'sorong', 'sragen', 'subang', 'subulussalam', 'sukabumi', 'sukamara',
    'sukoharjo', 'sula', 'sulawesi', 'sumatera', 'sumba', 'sumbawa', 'sumedang', 'sumenep', 'sungai',
    'supiori', 'surabaya', 'surakarta', 'tabalong', 'tabanan', 'tagulandang', 'takalar', 'talaud',
    'taliabu', 'tambrauw', 'tamiang', 'tana', 'tanah', 'tangerang', 'tanggamus', 'tanimbar', 'tanjung',
    'tanjungbalai', 'tapanuli', 'tapin', 'tarakan', 'tasikmalaya', 'tebing', 'tebo', 'tegal', 'teluk',
    'temanggung', 'tengah', 'tenggara', 'ternate', 'tidore', 'tidung', 'timor', 'timur', 'tinggi',
    'toba', 'tojo', 'toli', 'tolikara', 'tomohon', 'toraja', 'trenggalek', 'tual', 'tuban', 'tulang',
    'tulungagung', 'ulu', 'una', 'utara', 'wajo', 'wakatobi', 'waropen', 'way', 'wondama', 'wonogiri',
    'wonosobo', 'yahukimo', 'yalimo', 'yapen', 'yogyakarta',
})

OPD_WORDS: frozenset[str] = frozenset({
    'bapenda', 'bappeda', 'bappelitbangda', 'bapperida', 'bpbd', 'bpkad', 'bpkd', 'bps', 'dinkes',
    'disdik', 'disdukcapil', 'dishub', 'diskominfo', 'diskominfotik', 'dkis', 'dlh', 'dp3a', 'dpmd',
    'dpmptsp', 'dpupr', 'inspektorat', 'kesbangpol', 'kominfo', 'satpol', 'setda', 'setwan',
})
