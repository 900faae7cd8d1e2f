/**
 * Windows time-zone keys (HKLM\...\Time Zones\<key>) and the IANA zones each stands for, from
 * the Unicode CLDR mapping (common/supplemental/windowsZones.xml, all territories; the first
 * IANA name of a row is the key's representative, CLDR's territory "001"). IANA names are
 * CLDR's canonical spellings, which is what ICU, and so Node, reports ("Asia/Calcutta",
 * "Europe/Kiev").
 */
const ROWS = `Dateline Standard Time|Etc/GMT+12
UTC-11|Etc/GMT+11 Pacific/Pago_Pago Pacific/Niue Pacific/Midway
Aleutian Standard Time|America/Adak
Hawaiian Standard Time|Pacific/Honolulu Pacific/Rarotonga Pacific/Tahiti Etc/GMT+10
Marquesas Standard Time|Pacific/Marquesas
Alaskan Standard Time|America/Anchorage America/Juneau America/Metlakatla America/Nome America/Sitka America/Yakutat
UTC-09|Etc/GMT+9 Pacific/Gambier
Pacific Standard Time (Mexico)|America/Tijuana
UTC-08|Etc/GMT+8 Pacific/Pitcairn
Pacific Standard Time|America/Los_Angeles America/Vancouver
US Mountain Standard Time|America/Phoenix America/Creston America/Dawson_Creek America/Fort_Nelson America/Hermosillo Etc/GMT+7
Mountain Standard Time (Mexico)|America/Mazatlan
Mountain Standard Time|America/Denver America/Edmonton America/Cambridge_Bay America/Inuvik America/Ciudad_Juarez America/Boise
Yukon Standard Time|America/Whitehorse America/Dawson
Central America Standard Time|America/Guatemala America/Belize America/Costa_Rica Pacific/Galapagos America/Tegucigalpa America/Managua America/El_Salvador Etc/GMT+6
Central Standard Time|America/Chicago America/Winnipeg America/Rankin_Inlet America/Resolute America/Matamoros America/Ojinaga America/Indiana/Knox America/Indiana/Tell_City America/Menominee America/North_Dakota/Beulah America/North_Dakota/Center America/North_Dakota/New_Salem
Easter Island Standard Time|Pacific/Easter
Central Standard Time (Mexico)|America/Mexico_City America/Bahia_Banderas America/Merida America/Monterrey America/Chihuahua
Canada Central Standard Time|America/Regina America/Swift_Current
SA Pacific Standard Time|America/Bogota America/Rio_Branco America/Eirunepe America/Coral_Harbour America/Guayaquil America/Jamaica America/Cayman America/Panama America/Lima Etc/GMT+5
Eastern Standard Time (Mexico)|America/Cancun
Eastern Standard Time|America/New_York America/Nassau America/Toronto America/Iqaluit America/Detroit America/Indiana/Petersburg America/Indiana/Vincennes America/Indiana/Winamac America/Kentucky/Monticello America/Louisville
Haiti Standard Time|America/Port-au-Prince
Cuba Standard Time|America/Havana
US Eastern Standard Time|America/Indianapolis America/Indiana/Marengo America/Indiana/Vevay
Turks And Caicos Standard Time|America/Grand_Turk
Paraguay Standard Time|America/Asuncion
Atlantic Standard Time|America/Halifax Atlantic/Bermuda America/Glace_Bay America/Goose_Bay America/Moncton America/Thule
Venezuela Standard Time|America/Caracas
Central Brazilian Standard Time|America/Cuiaba America/Campo_Grande
SA Western Standard Time|America/La_Paz America/Antigua America/Anguilla America/Aruba America/Barbados America/St_Barthelemy America/Kralendijk America/Manaus America/Boa_Vista America/Porto_Velho America/Blanc-Sablon America/Curacao America/Dominica America/Santo_Domingo America/Grenada America/Guadeloupe America/Guyana America/St_Kitts America/St_Lucia America/Marigot America/Martinique America/Montserrat America/Puerto_Rico America/Lower_Princes America/Port_of_Spain America/St_Vincent America/Tortola America/St_Thomas Etc/GMT+4
Pacific SA Standard Time|America/Santiago
Newfoundland Standard Time|America/St_Johns
Tocantins Standard Time|America/Araguaina
E. South America Standard Time|America/Sao_Paulo
SA Eastern Standard Time|America/Cayenne Antarctica/Rothera Antarctica/Palmer America/Fortaleza America/Belem America/Maceio America/Recife America/Santarem Atlantic/Stanley America/Paramaribo Etc/GMT+3
Argentina Standard Time|America/Buenos_Aires America/Argentina/La_Rioja America/Argentina/Rio_Gallegos America/Argentina/Salta America/Argentina/San_Juan America/Argentina/San_Luis America/Argentina/Tucuman America/Argentina/Ushuaia America/Catamarca America/Cordoba America/Jujuy America/Mendoza
Greenland Standard Time|America/Godthab
Montevideo Standard Time|America/Montevideo
Magallanes Standard Time|America/Punta_Arenas
Saint Pierre Standard Time|America/Miquelon
Bahia Standard Time|America/Bahia
UTC-02|Etc/GMT+2 America/Noronha Atlantic/South_Georgia
Azores Standard Time|Atlantic/Azores America/Scoresbysund
Cape Verde Standard Time|Atlantic/Cape_Verde Etc/GMT+1
UTC|Etc/UTC UTC Etc/GMT
GMT Standard Time|Europe/London Atlantic/Canary Atlantic/Faeroe Europe/Guernsey Europe/Dublin Europe/Isle_of_Man Europe/Jersey Europe/Lisbon Atlantic/Madeira
Greenwich Standard Time|Atlantic/Reykjavik Africa/Ouagadougou Africa/Abidjan Africa/Accra America/Danmarkshavn Africa/Banjul Africa/Conakry Africa/Bissau Africa/Monrovia Africa/Bamako Africa/Nouakchott Atlantic/St_Helena Africa/Freetown Africa/Dakar Africa/Lome
Sao Tome Standard Time|Africa/Sao_Tome
Morocco Standard Time|Africa/Casablanca Africa/El_Aaiun
W. Europe Standard Time|Europe/Berlin Europe/Andorra Europe/Vienna Europe/Zurich Europe/Busingen Europe/Gibraltar Europe/Rome Europe/Vaduz Europe/Luxembourg Europe/Monaco Europe/Malta Europe/Amsterdam Europe/Oslo Europe/Stockholm Arctic/Longyearbyen Europe/San_Marino Europe/Vatican
Central Europe Standard Time|Europe/Budapest Europe/Tirane Europe/Prague Europe/Podgorica Europe/Belgrade Europe/Ljubljana Europe/Bratislava
Romance Standard Time|Europe/Paris Europe/Brussels Europe/Copenhagen Europe/Madrid Africa/Ceuta
Central European Standard Time|Europe/Warsaw Europe/Sarajevo Europe/Zagreb Europe/Skopje
W. Central Africa Standard Time|Africa/Lagos Africa/Luanda Africa/Porto-Novo Africa/Kinshasa Africa/Bangui Africa/Brazzaville Africa/Douala Africa/Algiers Africa/Libreville Africa/Malabo Africa/Niamey Africa/Ndjamena Africa/Tunis Etc/GMT-1
Jordan Standard Time|Asia/Amman
GTB Standard Time|Europe/Bucharest Asia/Nicosia Asia/Famagusta Europe/Athens
Middle East Standard Time|Asia/Beirut
Egypt Standard Time|Africa/Cairo
E. Europe Standard Time|Europe/Chisinau
Syria Standard Time|Asia/Damascus
West Bank Standard Time|Asia/Hebron Asia/Gaza
South Africa Standard Time|Africa/Johannesburg Africa/Bujumbura Africa/Gaborone Africa/Lubumbashi Africa/Maseru Africa/Blantyre Africa/Maputo Africa/Kigali Africa/Mbabane Africa/Lusaka Africa/Harare Etc/GMT-2
FLE Standard Time|Europe/Kiev Europe/Mariehamn Europe/Sofia Europe/Tallinn Europe/Helsinki Europe/Vilnius Europe/Riga
Israel Standard Time|Asia/Jerusalem
South Sudan Standard Time|Africa/Juba
Kaliningrad Standard Time|Europe/Kaliningrad
Sudan Standard Time|Africa/Khartoum
Libya Standard Time|Africa/Tripoli
Namibia Standard Time|Africa/Windhoek
Arabic Standard Time|Asia/Baghdad
Turkey Standard Time|Europe/Istanbul
Arab Standard Time|Asia/Riyadh Asia/Bahrain Asia/Kuwait Asia/Qatar Asia/Aden
Belarus Standard Time|Europe/Minsk
Russian Standard Time|Europe/Moscow Europe/Kirov Europe/Simferopol
E. Africa Standard Time|Africa/Nairobi Antarctica/Syowa Africa/Djibouti Africa/Asmera Africa/Addis_Ababa Indian/Comoro Indian/Antananarivo Africa/Mogadishu Africa/Dar_es_Salaam Africa/Kampala Indian/Mayotte Etc/GMT-3
Iran Standard Time|Asia/Tehran
Arabian Standard Time|Asia/Dubai Asia/Muscat Etc/GMT-4
Astrakhan Standard Time|Europe/Astrakhan Europe/Ulyanovsk
Azerbaijan Standard Time|Asia/Baku
Russia Time Zone 3|Europe/Samara
Mauritius Standard Time|Indian/Mauritius Indian/Reunion Indian/Mahe
Saratov Standard Time|Europe/Saratov
Georgian Standard Time|Asia/Tbilisi
Volgograd Standard Time|Europe/Volgograd
Caucasus Standard Time|Asia/Yerevan
Afghanistan Standard Time|Asia/Kabul
West Asia Standard Time|Asia/Tashkent Antarctica/Mawson Asia/Oral Asia/Almaty Asia/Aqtau Asia/Aqtobe Asia/Atyrau Asia/Qostanay Indian/Maldives Indian/Kerguelen Asia/Dushanbe Asia/Ashgabat Asia/Samarkand Etc/GMT-5
Ekaterinburg Standard Time|Asia/Yekaterinburg
Pakistan Standard Time|Asia/Karachi
Qyzylorda Standard Time|Asia/Qyzylorda
India Standard Time|Asia/Calcutta
Sri Lanka Standard Time|Asia/Colombo
Nepal Standard Time|Asia/Katmandu
Central Asia Standard Time|Asia/Bishkek Antarctica/Vostok Asia/Urumqi Indian/Chagos Etc/GMT-6
Bangladesh Standard Time|Asia/Dhaka Asia/Thimphu
Omsk Standard Time|Asia/Omsk
Myanmar Standard Time|Asia/Rangoon Indian/Cocos
SE Asia Standard Time|Asia/Bangkok Antarctica/Davis Indian/Christmas Asia/Jakarta Asia/Pontianak Asia/Phnom_Penh Asia/Vientiane Asia/Saigon Etc/GMT-7
Altai Standard Time|Asia/Barnaul
W. Mongolia Standard Time|Asia/Hovd
North Asia Standard Time|Asia/Krasnoyarsk Asia/Novokuznetsk
N. Central Asia Standard Time|Asia/Novosibirsk
Tomsk Standard Time|Asia/Tomsk
China Standard Time|Asia/Shanghai Asia/Hong_Kong Asia/Macau
North Asia East Standard Time|Asia/Irkutsk
Singapore Standard Time|Asia/Singapore Asia/Brunei Asia/Makassar Asia/Kuala_Lumpur Asia/Kuching Asia/Manila Etc/GMT-8
W. Australia Standard Time|Australia/Perth
Taipei Standard Time|Asia/Taipei
Ulaanbaatar Standard Time|Asia/Ulaanbaatar Asia/Choibalsan
Aus Central W. Standard Time|Australia/Eucla
Transbaikal Standard Time|Asia/Chita
Tokyo Standard Time|Asia/Tokyo Asia/Jayapura Pacific/Palau Asia/Dili Etc/GMT-9
North Korea Standard Time|Asia/Pyongyang
Korea Standard Time|Asia/Seoul
Yakutsk Standard Time|Asia/Yakutsk Asia/Khandyga
Cen. Australia Standard Time|Australia/Adelaide Australia/Broken_Hill
AUS Central Standard Time|Australia/Darwin
E. Australia Standard Time|Australia/Brisbane Australia/Lindeman
AUS Eastern Standard Time|Australia/Sydney Australia/Melbourne
West Pacific Standard Time|Pacific/Port_Moresby Antarctica/DumontDUrville Pacific/Truk Pacific/Guam Pacific/Saipan Etc/GMT-10
Tasmania Standard Time|Australia/Hobart Antarctica/Macquarie
Vladivostok Standard Time|Asia/Vladivostok Asia/Ust-Nera
Lord Howe Standard Time|Australia/Lord_Howe
Bougainville Standard Time|Pacific/Bougainville
Russia Time Zone 10|Asia/Srednekolymsk
Magadan Standard Time|Asia/Magadan
Norfolk Standard Time|Pacific/Norfolk
Sakhalin Standard Time|Asia/Sakhalin
Central Pacific Standard Time|Pacific/Guadalcanal Antarctica/Casey Pacific/Ponape Pacific/Kosrae Pacific/Noumea Pacific/Efate Etc/GMT-11
Russia Time Zone 11|Asia/Kamchatka Asia/Anadyr
New Zealand Standard Time|Pacific/Auckland Antarctica/McMurdo
UTC+12|Etc/GMT-12 Pacific/Tarawa Pacific/Majuro Pacific/Kwajalein Pacific/Nauru Pacific/Funafuti Pacific/Wake Pacific/Wallis
Fiji Standard Time|Pacific/Fiji
Chatham Islands Standard Time|Pacific/Chatham
UTC+13|Etc/GMT-13 Pacific/Enderbury Pacific/Fakaofo
Tonga Standard Time|Pacific/Tongatapu
Samoa Standard Time|Pacific/Apia
Line Islands Standard Time|Pacific/Kiritimati Etc/GMT-14`;

let parsed: [string, string[]][] | undefined;

/** The table as [key, zones] rows, parsed once (it never changes). */
function rows(): [string, string[]][] {
  parsed ??= ROWS.split('\n').map((line) => {
    const [key, zones] = line.split('|') as [string, string];
    return [key, zones.split(' ')];
  });
  return parsed;
}

/** Every Windows key with its IANA zones (representative first). */
export function windowsZoneTable(): readonly (readonly [string, readonly string[]])[] {
  return rows();
}

/** The Windows key for an IANA zone, or undefined. */
export function windowsZoneKey(iana: string): string | undefined {
  return rows().find(([, zones]) => zones.includes(iana))?.[0];
}

/** The representative IANA zone of a Windows key (matched case-insensitively, as the registry
 *  does), or undefined. */
export function ianaZoneOf(key: string): string | undefined {
  const k = key.toUpperCase();
  return rows().find(([name]) => name.toUpperCase() === k)?.[1][0];
}

/** The canonical spelling of a Windows key. */
export function canonicalWindowsKey(key: string): string | undefined {
  const k = key.toUpperCase();
  return rows().find(([name]) => name.toUpperCase() === k)?.[0];
}

/**
 * The standard and daylight names English Windows shows for a key (the registry's "Std" and
 * "Dlt" values): the key itself and its "Daylight" form, except for the UTC keys, whose
 * names do not change, and the "Russia Time Zone N" keys, named "Russia TZ N … Time".
 */
export function windowsZoneNames(key: string): [string, string] {
  if (key === 'UTC') return ['Coordinated Universal Time', 'Coordinated Universal Time'];
  if (/^UTC[+-]\d\d$/.test(key)) return [key, key];
  const russia = /^Russia Time Zone (\d+)$/.exec(key);
  if (russia) return [`Russia TZ ${russia[1]} Standard Time`, `Russia TZ ${russia[1]} Daylight Time`];
  return [key, key.replace('Standard Time', 'Daylight Time')];
}
