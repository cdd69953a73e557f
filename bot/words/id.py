"""Indonesian."""

from bot.words.base import Words

WORDS = Words(
    read_more="Baca selengkapnya",
    help="Saya bot {channels}: setiap artikel baru saya terbitkan di sana.\n\n"
    "/latest [jumlah]: artikel terbaru (bawaan {default}, paling banyak {most})\n"
    "/category: daftar kategori\n"
    "/category nama: artikel terbaru dalam satu kategori\n"
    "/search kata: artikel yang memuat kata-kata ini\n"
    "/help: bantuan ini",
    latest="Artikel terbaru",
    none="Belum ada artikel.",
    usage="Cara pakai: /latest [jumlah], dengan jumlah 1 sampai {most}.",
    categories="Pilih kategori:",
    no_categories="Belum ada kategori.",
    unknown="Tidak ada kategori “{asked}”.",
    did_you_mean="Maksud Anda: {names}?",
    pick="Pilih salah satu dengan /category.",
    search_usage="Cara pakai: /search diikuti kata yang dicari.",
    search_found="Artikel dengan “{asked}”",
    search_none="Tidak ada hasil untuk “{asked}”.",
    search_hint="Coba lebih sedikit kata, kata lain, atau awal sebuah kata; /latest menampilkan artikel terbaru.",
    search_long="Kata-katanya terlalu banyak: saya mencari paling banyak {most} kata.",
    flood="Pelan-pelan: Anda mengirim banyak perintah berturut-turut. Coba lagi sebentar lagi.",
    private="Minta /status di obrolan pribadi dengan saya: di sini orang lain ikut membaca.",
    m_help="Saya menerbitkan setiap artikel baru dari {site}. Sebut saya dengan:\n"
    "latest [jumlah]: artikel terbaru (bawaan {default}, paling banyak {most})\n"
    "category: daftar kategori\n"
    "category NAMA: artikel terbaru dalam satu kategori\n"
    "search KATA: artikel dengan kata-kata ini",
    m_usage="Kirim “latest” dengan jumlah dari 1 sampai {most}.",
    m_categories="Kategori (kirim “category NAMA”):",
    m_pick="Kirim “category” untuk melihat daftarnya.",
    m_search="Kirim “search” dengan satu sampai {most} kata.",
    m_found="Artikel dengan “{asked}”:",
    m_not_found="Tidak ada artikel dengan “{asked}”.",
    cmd_latest="Artikel terbaru",
    cmd_category="Artikel per kategori",
    cmd_search="Cari artikel",
    cmd_help="Apa yang dilakukan bot ini",
    cmd_status="Status penerbitan (admin)",
)
