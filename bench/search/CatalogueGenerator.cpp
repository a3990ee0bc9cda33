#include "search/CatalogueGenerator.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QUuid>
#include <algorithm>
#include <cmath>

namespace Revenge::Bench {

namespace {

// Compact word lists embedded in the source (no downloads). Split once on first use.
const char *const kAdjectives =
    "Silent Broken Golden Hidden Last Lost Dark Bright Crimson Scarlet Silver Iron Frozen Burning "
    "Savage Gentle Hollow Wild Quiet Distant Endless Forgotten Secret Midnight Eternal Fallen "
    "Rising Wicked Lonely Restless Shattered Velvet Wandering Bitter Sweet Cold Warm Empty Final "
    "Blue Black White Red Green Grey Emerald Amber Ivory Obsidian Electric Atomic Cosmic Infinite "
    "Invisible Ancient Modern Brave Fearless Reckless Careless Honest Crooked Twisted Sacred "
    "Cursed Blessed Haunted Hungry Thirsty Sleepless Dreaming Falling Flying Running Dancing "
    "Singing Burning Drowning Dying Living Northern Southern Eastern Western Tropical Arctic "
    "Desert Urban Rural Royal Imperial Rebel Outlaw Lucky Unlucky Perfect Imperfect Strange "
    "Curious Dangerous Beautiful Terrible Wonderful Magnificent Glorious Mysterious Peculiar "
    "Gilded Rusted Paper Glass Stone Wooden Marble Copper Bronze Diamond Crystal Neon Radiant "
    "Pale Faded Vivid Hazy Misty Stormy Sunny Rainy Windy Snowy Foggy Thunderous Violent "
    "Tender Fragile Hardened Sharp Blunt Deep Shallow Narrow Wide Tall Little Giant Tiny Vast "
    "Hollywood Parisian Venetian Bohemian Gothic Baroque Victorian Medieval Electric Mechanical "
    "Digital Analog Quantum Lunar Solar Stellar Orbital Primal Feral Savage Noble Humble Proud "
    "Jealous Furious Gentle Tired Brilliant Clever Foolish Silly Serious Merry Grim Gloomy "
    "Cheerful Jolly Solemn Wistful Yearning Burnt Salted Frosted Painted Tattered Woven "
    "Unbroken Unspoken Untold Unseen Unknown Undying Unwritten Vanishing Waking Sleeping "
    "Whispering Screaming Roaring Howling Shining Glowing Flickering Fading Crumbling Sinking";
const char *const kNouns =
    "River Mountain Shadow Storm Garden Kingdom Empire Horizon Promise Harbor Island Ocean Forest "
    "Desert Valley Canyon Meadow Lake Glacier Volcano Tower Castle Fortress Palace Cathedral "
    "Temple Bridge Road Highway Railway Station Airport Hotel Motel Diner Casino Theater Circus "
    "Carnival Market Bazaar Library Museum Gallery Hospital Prison Asylum Academy School College "
    "Village Town City Metropolis Republic Nation Frontier Border Wall Gate Door Window Mirror "
    "Clock Compass Map Letter Diary Journal Ledger Book Song Ballad Anthem Symphony Sonata Waltz "
    "Tango Dance Dream Nightmare Memory Echo Whisper Scream Silence Thunder Lightning Rain Snow "
    "Wind Fire Flame Ember Ash Smoke Dust Sand Stone Rock Diamond Pearl Ruby Sapphire Crown "
    "Throne Sword Shield Arrow Bullet Gun Knife Dagger Blade Hammer Anchor Sail Ship Boat Train "
    "Rocket Satellite Planet Star Moon Sun Comet Galaxy Nebula Orbit Eclipse Dawn Dusk Twilight "
    "Night Morning Evening Summer Winter Autumn Spring Season Year Century Hour Minute Moment "
    "Heart Soul Spirit Ghost Phantom Angel Demon Devil Saint Sinner Prophet Pilgrim Stranger "
    "Traveler Wanderer Drifter Hunter Soldier Sailor Pilot Captain General Colonel Sergeant "
    "Detective Inspector Doctor Nurse Teacher Preacher Judge Lawyer Banker Thief Killer Witness "
    "Hostage Prisoner Fugitive Outlaw Sheriff Marshal Ranger Cowboy Gunslinger Samurai Ninja "
    "Knight Wizard Witch Sorcerer Dragon Serpent Wolf Fox Bear Lion Tiger Eagle Raven Crow Hawk "
    "Falcon Sparrow Owl Dove Swan Horse Stallion Mare Bull Buffalo Whale Shark Dolphin Octopus "
    "Spider Scorpion Butterfly Moth Bee Hornet Orchid Rose Lily Tulip Violet Jasmine Lotus "
    "Cedar Oak Willow Cypress Pine Maple Birch Orchard Vineyard Harvest Feast Banquet Wedding "
    "Funeral Birthday Holiday Vacation Journey Voyage Odyssey Quest Mission Operation Conspiracy "
    "Heist Robbery Murder Mystery Riddle Puzzle Cipher Code Secret Legacy Inheritance Fortune "
    "Treasure Gold Silver Money Debt Bargain Contract Deal Game Gamble Wager Bet Chance Luck "
    "Destiny Fate Prophecy Oracle Miracle Wonder Marvel Legend Myth Fable Tale Story Chronicle "
    "Saga Epic Affair Romance Scandal Rumor Lie Truth Justice Vengeance Revenge Redemption "
    "Salvation Sacrifice Betrayal Loyalty Honor Glory Victory Defeat Surrender Rebellion "
    "Revolution Uprising Invasion Siege Battle War Peace Treaty Alliance Covenant Brotherhood "
    "Sisterhood Family Daughter Son Mother Father Brother Sister Widow Orphan Bride Groom Lover "
    "Friend Enemy Rival Partner Neighbor Tenant Landlord Servant Master Maestro Dancer Singer "
    "Painter Poet Writer Sculptor Architect Engineer Inventor Scientist Astronaut Diver Miner "
    "Lighthouse Windmill Cottage Mansion Manor Cabin Barn Attic Cellar Basement Tunnel Labyrinth";
const char *const kPlaces =
    "Paris|London|Rome|Berlin|Vienna|Prague|Lisbon|Madrid|Seville|Venice|Naples|Athens|Istanbul|"
    "Cairo|Marrakesh|Tangier|Casablanca|Nairobi|Lagos|Havana|Rio|Lima|Buenos Aires|Santiago|"
    "Mexico City|Tokyo|Kyoto|Osaka|Seoul|Shanghai|Hong Kong|Macau|Bangkok|Saigon|Manila|Jakarta|"
    "Bombay|Calcutta|Delhi|Kabul|Tehran|Baghdad|Damascus|Jerusalem|Beirut|Moscow|Leningrad|"
    "Warsaw|Budapest|Bucharest|Sofia|Belgrade|Zagreb|Dublin|Edinburgh|Glasgow|Oslo|Stockholm|"
    "Helsinki|Copenhagen|Amsterdam|Brussels|Geneva|Zurich|Monaco|Marseille|Lyon|Barcelona|"
    "New York|Brooklyn|Harlem|Manhattan|Chicago|Detroit|Boston|Baltimore|Memphis|Nashville|"
    "New Orleans|Miami|Atlanta|Dallas|Houston|Austin|El Paso|Tucson|Phoenix|Las Vegas|Reno|"
    "Los Angeles|Hollywood|San Francisco|Oakland|Seattle|Portland|Denver|Montana|Alaska|Texas|"
    "Tennessee|Kentucky|Oklahoma|Nebraska|Dakota|Vermont|Maine|Toronto|Montreal|Vancouver|Yukon|"
    "Sydney|Melbourne|Tasmania|Auckland|Patagonia|Siberia|Sahara|Tibet|Bengal|Congo|Zanzibar|"
    "Avalon|Eldorado|Atlantis|Babylon|Carthage|Troy|Sparta|Byzantium|Samarkand|Timbuktu";
const char *const kFirstNames =
    "James John Robert Michael William David Richard Joseph Thomas Charles Daniel Matthew Anthony "
    "Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward "
    "Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon "
    "Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry Tyler Aaron Jose "
    "Adam Nathan Henry Douglas Zachary Peter Kyle Walter Ethan Jeremy Harold Keith Christian "
    "Roger Noah Gerald Carl Terry Sean Austin Arthur Lawrence Jesse Dylan Bryan Joe Jordan Billy "
    "Bruce Albert Willie Gabriel Logan Alan Juan Wayne Roy Ralph Randy Eugene Vincent Russell "
    "Elijah Louis Bobby Philip Johnny Mary Patricia Jennifer Linda Elizabeth Barbara Susan "
    "Jessica Sarah Karen Nancy Lisa Betty Margaret Sandra Ashley Kimberly Emily Donna Michelle "
    "Dorothy Carol Amanda Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy "
    "Shirley Angela Helen Anna Brenda Pamela Nicole Emma Samantha Katherine Christine Debra "
    "Rachel Catherine Carolyn Janet Ruth Maria Heather Diane Virginia Julie Joyce Victoria "
    "Olivia Kelly Christina Lauren Joan Evelyn Judith Megan Cheryl Andrea Hannah Martha "
    "Jacqueline Frances Gloria Ann Teresa Kathryn Sara Janice Jean Alice Madison Doris Abigail "
    "Julia Judy Grace Denise Amber Marilyn Beverly Danielle Theresa Sophia Marie Diana Brittany "
    "Natalie Isabella Charlotte Rose Alexis Kayla Ingrid Sofia Camille Amelie Hiroshi Yuki "
    "Kenji Akira Mei Lin Wei Priya Arjun Ravi Omar Leila Fatima Youssef Dmitri Olga Ivan Natasha "
    "Lars Astrid Sven Freya Pierre Juliette Matteo Giulia Lorenzo Chiara Pablo Lucia Diego "
    "Carmen Mateo Valentina Kwame Amara Chidi Zara";
const char *const kLastNames =
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook "
    "Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward "
    "Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez "
    "Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan "
    "Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan "
    "Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant "
    "Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison "
    "Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker "
    "Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason "
    "Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox "
    "Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan "
    "Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Hansen Peters Santos Hart "
    "Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews "
    "Ravel Dubois Moreau Laurent Lefebvre Rossi Russo Ferrari Esposito Bianchi Romano Colombo "
    "Schneider Fischer Weber Becker Hoffmann Schulz Novak Horvat Kowalski Nowak Ivanov Petrov "
    "Volkov Sokolov Tanaka Suzuki Takahashi Watanabe Yamamoto Nakamura Kobayashi Sato Park Choi "
    "Wang Zhang Liu Huang Singh Kumar Sharma Gupta Okafor Mensah Adeyemi Haddad Nasser Larsson "
    "Lindqvist Nielsen Jensen Virtanen Korhonen Andersson Eriksson Berg Dahl";
const char *const kVerbs =
    "Falls Burns Sleeps Breaks Returns Sings Wakes Dies Rises Speaks Weeps Bleeds Fades Calls "
    "Waits Dreams Lies Screams Smiles Turns Hunts Remembers Forgets Shines Trembles Answers "
    "Begins Ends Follows Listens Knows Watches Wanders Drowns Dances Prays Roars Whispers";
// Foreign original titles: an article+noun head and a complement, in several languages.
const char *const kForeignHeads =
    "La Nuit|Le Silence|La Mer|Le Voyage|La Femme|Le Mépris|La Haine|Le Retour|L'Été|La Règle|"
    "Les Amants|Le Cercle|Der Himmel|Die Stadt|Das Boot|Der Krieg|Die Nacht|Das Leben|Die Mauer|"
    "Der Fremde|Die Brücke|El Camino|La Casa|El Laberinto|La Noche|El Niño|El Secreto|La Ciudad|"
    "El Viaje|La Strada|Il Sorpasso|La Dolce|Il Deserto|La Notte|Il Giardino|La Terra|O Pagador|"
    "A Ilha|Yume|Kaze|Hana|Tsuki|Umi|Yoru|Het Meisje|De Storm|Den Sista|Det Sjunde|Jäger|Sommer|"
    "Zima|Noc|Lato|Ziemia";
const char *const kForeignTails =
    "de Paris|sans Retour|des Anges|du Nord|de l'Aube|d'Automne|über Berlin|ohne Ende|der Liebe|"
    "des Todes|im Winter|am Meer|del Sur|de Fuego|sin Fin|de los Muertos|del Diablo|en Llamas|"
    "di Notte|del Mare|d'Oro|senza Fine|no Kaze|no Uta|no Hana|do Sertão|van Amsterdam|i Natten|"
    "på Havet|w Nocy|nad Wisłą|Eterna|Perdida|Blanche|Noire|Rouge|Bleu|Vermelho|Amarillo|Grün";
const char *const kRoles =
    "detective|young widow|retired boxer|ambitious journalist|disgraced surgeon|small-town "
    "teacher|rookie cop|reclusive painter|con artist|marine biologist|war veteran|single "
    "father|runaway teenager|jazz pianist|fighter pilot|botanist|smuggler|stage actress|chess "
    "prodigy|lighthouse keeper|cartographer|museum guard|exiled prince|struggling novelist|night "
    "nurse|bounty hunter|astronomer|farmer's daughter|union organizer|safecracker";
const char *const kActions =
    "uncovers|must protect|sets out to find|is haunted by|falls for|races to stop|inherits|tries "
    "to escape|confronts|investigates|stumbles upon|is hired to recover|swears to avenge|must "
    "deliver|returns to|loses everything to";
const char *const kThemes =
    "loyalty|grief|ambition|second chances|family|revenge|forgiveness|survival|first love|power|"
    "memory|faith|greed|friendship|identity|exile|courage|obsession|betrayal|home";
const char *const kStopwords = "the of a an and in on to at for from with by de la le el il des "
                               "du der die das no en i s is it me my ii iii iv";

QStringList split(const char *text, char sep)
{
    return QString::fromUtf8(text).split(QLatin1Char(sep), Qt::SkipEmptyParts);
}

struct Words
{
    QStringList adjectives = split(kAdjectives, ' ');
    QStringList nouns = split(kNouns, ' ');
    QStringList places = split(kPlaces, '|');
    QStringList firstNames = split(kFirstNames, ' ');
    QStringList lastNames = split(kLastNames, ' ');
    QStringList verbs = split(kVerbs, ' ');
    QStringList foreignHeads = split(kForeignHeads, '|');
    QStringList foreignTails = split(kForeignTails, '|');
    QStringList roles = split(kRoles, '|');
    QStringList actions = split(kActions, '|');
    QStringList themes = split(kThemes, '|');
    QSet<QString> stopwords = [] {
        const QStringList list = split(kStopwords, ' ');
        return QSet<QString>(list.begin(), list.end());
    }();
};

const Words &words()
{
    static const Words w;
    return w;
}

// The first 19 genres are for films and shows, the last 6 for music.
constexpr int kVideoGenres = 19;
const QStringList kMovieRatings = {"G", "PG", "PG-13", "PG-13", "R", "R", "NC-17", "NR"};
const QStringList kTvRatings = {"TV-Y", "TV-G", "TV-PG", "TV-14", "TV-14", "TV-MA"};
const QStringList kSequels = {" II", " III", " 2", " 3", ": Part Two", " Returns"};

} // namespace

CatalogueGenerator::CatalogueGenerator(quint64 seed)
    : m_seed(seed)
    , m_rng(seed)
{}

const QStringList &CatalogueGenerator::genres()
{
    static const QStringList list = {
        "Action", "Adventure", "Animation",  "Comedy",  "Crime",     "Documentary", "Drama",
        "Family", "Fantasy",   "History",    "Horror",  "Musical",   "Mystery",     "Romance",
        "Sci-Fi", "Thriller",  "War",        "Western", "Biography", "Rock",        "Pop",
        "Jazz",   "Classical", "Electronic", "Hip-Hop", "Folk"};
    return list;
}

const QStringList &CatalogueGenerator::kinds()
{
    static const QStringList list = {"movie", "series", "episode", "artist",
                                     "album", "track",  "person"};
    return list;
}

int CatalogueGenerator::bounded(int n)
{
    // Plain modulo of the top bits: deterministic across standard libraries, which the std
    // distributions are not; the bias is negligible for list sizes.
    return n <= 0 ? 0 : int((next() >> 11) % quint64(n));
}

double CatalogueGenerator::unit()
{
    return double(next() >> 11) * (1.0 / 9007199254740992.0);
}

int CatalogueGenerator::recentYear(int from)
{
    // A power of a uniform skews towards the most recent years, as real libraries are.
    const double u = std::pow(unit(), 1.5);
    const int span = kMaxYear - from + 1;
    return std::clamp(kMaxYear - int(span * u), from, kMaxYear);
}

QString CatalogueGenerator::subtitle()
{
    const Words &w = words();
    switch (bounded(5)) {
    case 0:
        return QStringLiteral("Return of the %1").arg(pick(w.nouns));
    case 1:
        return QStringLiteral("The %1 %2").arg(pick(w.adjectives), pick(w.nouns));
    case 2:
        return QStringLiteral("%1 of %2").arg(pick(w.nouns), pick(w.places));
    case 3:
        return QStringLiteral("Rise of the %1").arg(pick(w.nouns));
    default:
        return QStringLiteral("%1 %2").arg(pick(w.adjectives), pick(w.nouns));
    }
}

QString CatalogueGenerator::movieTitle()
{
    const Words &w = words();
    switch (bounded(14)) {
    case 0:
    case 1:
        return QStringLiteral("The %1 %2").arg(pick(w.adjectives), pick(w.nouns));
    case 2:
        return QStringLiteral("%1 %2").arg(pick(w.adjectives), pick(w.nouns));
    case 3:
        return QStringLiteral("The %1 of %2").arg(pick(w.nouns), pick(w.places));
    case 4:
        return QStringLiteral("%1 of the %2 %3")
            .arg(pick(w.nouns), pick(w.adjectives), pick(w.nouns));
    case 5:
        return QStringLiteral("%1's %2").arg(pick(w.firstNames), pick(w.nouns));
    case 6:
        return QStringLiteral("A %1 in %2").arg(pick(w.nouns), pick(w.places));
    case 7:
        return QStringLiteral("%1 and %2").arg(pick(w.nouns), pick(w.nouns));
    case 8:
        return QStringLiteral("The %1: %2").arg(pick(w.nouns), subtitle());
    case 9:
        return QStringLiteral("%1 %2").arg(pick(w.nouns)).arg(1 + bounded(99));
    case 10:
        return QStringLiteral("%1 %2").arg(pick(w.places), pick(w.nouns));
    case 11:
        return QStringLiteral("When the %1 %2").arg(pick(w.nouns), pick(w.verbs));
    case 12:
        return QStringLiteral("Before the %1 %2").arg(pick(w.nouns), pick(w.verbs));
    default:
        return QStringLiteral("%1 %2: %3").arg(pick(w.adjectives), pick(w.nouns), subtitle());
    }
}

QString CatalogueGenerator::seriesTitle()
{
    const Words &w = words();
    switch (bounded(7)) {
    case 0:
        return QStringLiteral("%1 %2").arg(pick(w.places), pick(w.nouns));
    case 1:
        return QStringLiteral("The %1 Files").arg(pick(w.nouns));
    case 2:
        return QStringLiteral("Chronicles of %1").arg(pick(w.places));
    case 3:
        return QStringLiteral("%1 & %2").arg(pick(w.firstNames), pick(w.firstNames));
    case 4:
        return QStringLiteral("%1 %2 Nights").arg(pick(w.adjectives), pick(w.places));
    default:
        return QStringLiteral("The %1 %2").arg(pick(w.adjectives), pick(w.nouns));
    }
}

QString CatalogueGenerator::episodeTitle()
{
    const Words &w = words();
    switch (bounded(6)) {
    case 0:
        return QStringLiteral("The %1 %2").arg(pick(w.adjectives), pick(w.nouns));
    case 1:
        return QStringLiteral("%1 of %2").arg(pick(w.nouns), pick(w.places));
    case 2:
        return QStringLiteral("A %1 %2").arg(pick(w.adjectives), pick(w.nouns));
    case 3:
        return QStringLiteral("The %1 %2").arg(pick(w.nouns), pick(w.verbs));
    case 4:
        return QStringLiteral("%1 in the %2").arg(pick(w.firstNames), pick(w.nouns));
    default:
        return QStringLiteral("%1 %2 %3")
            .arg(pick(w.adjectives), pick(w.adjectives), pick(w.nouns));
    }
}

QString CatalogueGenerator::artistName()
{
    const Words &w = words();
    switch (bounded(5)) {
    case 0:
        return QStringLiteral("The %1 %2").arg(pick(w.adjectives), pick(w.nouns));
    case 1:
        return QStringLiteral("%1 %2").arg(pick(w.firstNames), pick(w.lastNames));
    case 2:
        return QStringLiteral("%1 %2").arg(pick(w.adjectives), pick(w.nouns));
    case 3:
        return QStringLiteral("%1 & the %2").arg(pick(w.firstNames), pick(w.nouns));
    default:
        return QStringLiteral("DJ %1 %2").arg(pick(w.adjectives), pick(w.nouns));
    }
}

QString CatalogueGenerator::albumTitle()
{
    const Words &w = words();
    switch (bounded(5)) {
    case 0:
        return QStringLiteral("%1 %2").arg(pick(w.adjectives), pick(w.nouns));
    case 1:
        return QStringLiteral("Songs of the %1 %2").arg(pick(w.adjectives), pick(w.nouns));
    case 2:
        return QStringLiteral("%1 Sessions Vol. %2").arg(pick(w.nouns)).arg(1 + bounded(9));
    case 3:
        return QStringLiteral("Live in %1 %2").arg(pick(w.places)).arg(1960 + bounded(66));
    default:
        return QStringLiteral("%1 %2 %3").arg(pick(w.nouns), pick(w.adjectives), pick(w.nouns));
    }
}

QString CatalogueGenerator::trackTitle()
{
    const Words &w = words();
    switch (bounded(6)) {
    case 0:
        return QStringLiteral("%1 %2").arg(pick(w.adjectives), pick(w.nouns));
    case 1:
        return QStringLiteral("%1 %2 Song").arg(pick(w.adjectives), pick(w.nouns));
    case 2:
        return QStringLiteral("%1 in %2").arg(pick(w.nouns), pick(w.places));
    case 3:
        return QStringLiteral("%1, %2").arg(pick(w.firstNames), pick(w.adjectives));
    case 4:
        return QStringLiteral("The %1 %2 %3").arg(pick(w.adjectives), pick(w.nouns), pick(w.verbs));
    default:
        return QStringLiteral("%1 %2 %3").arg(pick(w.adjectives), pick(w.nouns), pick(w.verbs));
    }
}

QString CatalogueGenerator::foreignTitle()
{
    const Words &w = words();
    return QStringLiteral("%1 %2").arg(pick(w.foreignHeads), pick(w.foreignTails));
}

QString CatalogueGenerator::personName()
{
    const Words &w = words();
    return QStringLiteral("%1 %2").arg(pick(w.firstNames), pick(w.lastNames));
}

QString CatalogueGenerator::uniqueTitle(QString title, TitleStyle style)
{
    // A repeated title gets a distinguishing suffix, as real re-releases and remakes do; a
    // repeated name gets a middle initial.
    const bool music = style == TitleStyle::Music;
    for (int attempt = 0; m_titles.contains(title.toLower()); ++attempt) {
        const QString base = title;
        if (style == TitleStyle::Person) {
            const int space = int(base.indexOf(QLatin1Char(' ')));
            title = base.left(space) + QStringLiteral(" %1.").arg(QChar('A' + bounded(26))) +
                    base.mid(space);
        } else if (attempt < 4)
            title = music ? QStringLiteral("%1 (%2 Mix)").arg(base, pick(words().adjectives))
                          : QStringLiteral("%1: %2").arg(base, subtitle());
        else
            title = QStringLiteral("%1 %2").arg(base).arg(attempt);
        if (m_titles.contains(title.toLower()))
            title = base;
        if (attempt > 8)
            title = QStringLiteral("%1 #%2").arg(base).arg(next() % 100000);
    }
    m_titles.insert(title.toLower());
    return title;
}

QStringList CatalogueGenerator::videoGenres()
{
    const int n = 1 + bounded(3);
    QStringList out;
    while (out.size() < n) {
        const QString &g = genres().at(bounded(kVideoGenres));
        if (!out.contains(g))
            out.append(g);
    }
    return out;
}

QStringList CatalogueGenerator::musicGenres()
{
    const int n = 1 + bounded(2);
    const int count = int(genres().size()) - kVideoGenres;
    QStringList out;
    while (out.size() < n) {
        const QString &g = genres().at(kVideoGenres + bounded(count));
        if (!out.contains(g))
            out.append(g);
    }
    return out;
}

QString CatalogueGenerator::keyword(const QString &title)
{
    // A significant word of the title, so overviews mention what the item is about.
    static const QRegularExpression separators(QStringLiteral("[^\\p{L}\\p{N}]+"));
    QStringList candidates;
    for (const QString &word : title.split(separators, Qt::SkipEmptyParts)) {
        if (word.size() >= 4 && !words().stopwords.contains(word.toLower()))
            candidates.append(word);
    }
    return candidates.isEmpty() ? pick(words().nouns) : pick(candidates);
}

QString CatalogueGenerator::overviewFor(const CatalogueItem &item)
{
    const Words &w = words();
    const QString lead = item.cast.isEmpty() ? QStringLiteral("A stranger") : item.cast.first();
    const QString kw = keyword(item.title);
    QStringList sentences;
    if (item.kind == QLatin1String("movie") || item.kind == QLatin1String("series")) {
        sentences.append(QStringLiteral("A %1 in %2 %3 the %4.")
                             .arg(pick(w.roles), pick(w.places), pick(w.actions), kw));
        if (item.cast.size() > 1 && chance(0.7))
            sentences.append(QStringLiteral("%1 and %2 star in this %3 %4 from %5.")
                                 .arg(item.cast.at(0), item.cast.at(1),
                                      item.genres.first().toLower(),
                                      item.kind == QLatin1String("movie") ? "film" : "series",
                                      item.directors.value(0, QStringLiteral("a new director"))));
        if (chance(0.5))
            sentences.append(
                QStringLiteral("%1 and %2, it is a story about %3.")
                    .arg(pick(w.adjectives), pick(w.adjectives).toLower(), pick(w.themes)));
    } else if (item.kind == QLatin1String("episode")) {
        sentences.append(QStringLiteral("%1 %2 the %3 while a %4 %5 %6.")
                             .arg(lead, pick(w.actions), kw, pick(w.roles), pick(w.actions),
                                  item.cast.value(1, QStringLiteral("an old friend"))));
        if (chance(0.6))
            sentences.append(QStringLiteral("Season %1, episode %2 of %3.")
                                 .arg(item.season)
                                 .arg(item.episode)
                                 .arg(item.seriesTitle));
    } else if (item.kind == QLatin1String("artist")) {
        sentences.append(QStringLiteral("%1 is a %2 act from %3, formed in %4.")
                             .arg(item.title, item.genres.first().toLower(), pick(w.places))
                             .arg(item.year));
        if (chance(0.5))
            sentences.append(QStringLiteral("Their songs are about %1 and %2.")
                                 .arg(pick(w.themes), pick(w.themes)));
    } else if (item.kind == QLatin1String("album")) {
        sentences.append(QStringLiteral("The %1 album by %2, released in %3.")
                             .arg(item.genres.first().toLower(), lead)
                             .arg(item.year));
        if (chance(0.5))
            sentences.append(QStringLiteral("Recorded in %1, it is a record about %2.")
                                 .arg(pick(w.places), pick(w.themes)));
    } else if (item.kind == QLatin1String("track")) {
        sentences.append(
            QStringLiteral("Track %1 of %2 by %3.").arg(item.episode).arg(item.seriesTitle, lead));
    }
    return sentences.join(QLatin1Char(' '));
}

QList<CatalogueItem> CatalogueGenerator::generate(int count)
{
    m_rng.seed(m_seed);
    m_titles.clear();
    const Words &w = words();
    count = std::max(count, 0);

    // Exact shares; movies take the rounding remainder.
    const int adult = int(std::lround(count * 0.01));
    const int series = int(std::lround(count * 0.05));
    const int episodes = int(std::lround(count * 0.30));
    const int artists = int(std::lround(count * 0.03));
    const int albums = int(std::lround(count * 0.04));
    const int tracks = int(std::lround(count * 0.10));
    const int people = int(std::lround(count * 0.03));
    const int movies = std::max(0, count - series - episodes - artists - albums - tracks - people);

    // A shared pool of people so actors and directors recur across items (facets have counts);
    // the people items are the most prolific names of the pool.
    const int poolSize = std::max(people, std::max(300, count / 20));
    QStringList pool;
    pool.reserve(poolSize);
    {
        QSet<QString> seen;
        while (pool.size() < poolSize) {
            QString name = personName();
            if (seen.contains(name)) {
                const QString initial = QString(QChar('A' + bounded(26)));
                const int space = int(name.indexOf(QLatin1Char(' ')));
                name = name.left(space) + QStringLiteral(" %1.").arg(initial) + name.mid(space);
            }
            if (seen.contains(name))
                continue;
            seen.insert(name);
            pool.append(name);
        }
    }
    QList<int> knownFor(poolSize, -1);
    auto castFrom = [&](int n, int itemIndex) {
        QStringList out;
        while (out.size() < n) {
            const double u = unit();
            const int p = int(poolSize * u * u); // a few prolific actors, a long tail
            if (!out.contains(pool.at(p))) {
                out.append(pool.at(p));
                if (knownFor.at(p) < 0)
                    knownFor[p] = itemIndex;
            }
        }
        return out;
    };
    auto directorFrom = [&] { return pool.at(bounded(std::max(1, poolSize / 4))); };

    QList<CatalogueItem> items;
    items.reserve(count);
    auto add = [&](CatalogueItem item) {
        item.id = QUuid::createUuidV5(
                      QUuid(), QStringLiteral("revenge-bench:%1:%2").arg(m_seed).arg(items.size()))
                      .toString(QUuid::WithoutBraces);
        if (item.originalTitle.isEmpty())
            item.originalTitle = item.title;
        item.overview = overviewFor(item);
        items.append(item);
    };

    QList<int> movieIndexes;
    for (int i = 0; i < movies; ++i) {
        CatalogueItem item;
        item.kind = QStringLiteral("movie");
        item.adult = i < adult;
        // Some sequels of earlier films, as real catalogues have.
        if (!movieIndexes.isEmpty() && chance(0.04)) {
            const QString base = items.at(movieIndexes.at(bounded(int(movieIndexes.size())))).title;
            item.title = uniqueTitle(base + pick(kSequels));
        } else {
            item.title = uniqueTitle(movieTitle());
        }
        if (chance(0.15))
            item.originalTitle = foreignTitle();
        item.genres = videoGenres();
        item.year = recentYear();
        item.cast = castFrom(3 + bounded(6), int(items.size()));
        item.directors.append(directorFrom());
        if (chance(0.1))
            item.directors.append(directorFrom());
        item.directors.removeDuplicates();
        if (item.adult) {
            item.library = QStringLiteral("Private");
            item.contentRating = QStringLiteral("NC-17");
        } else {
            item.library = QStringLiteral("Movies");
            item.contentRating = pick(kMovieRatings);
        }
        if (!item.adult)
            movieIndexes.append(int(items.size()));
        add(item);
    }

    QList<int> seriesIndexes;
    for (int i = 0; i < series; ++i) {
        CatalogueItem item;
        item.kind = QStringLiteral("series");
        item.title = uniqueTitle(seriesTitle());
        item.genres = videoGenres();
        item.year = recentYear(1950);
        item.cast = castFrom(4 + bounded(6), int(items.size()));
        item.directors.append(directorFrom());
        item.library = QStringLiteral("Shows");
        item.contentRating = pick(kTvRatings);
        seriesIndexes.append(int(items.size()));
        add(item);
    }

    // Episodes belong to the series in order, a few seasons each.
    for (int i = 0; i < episodes; ++i) {
        const CatalogueItem &show =
            items.at(seriesIndexes.isEmpty() ? 0 : seriesIndexes.at(i % seriesIndexes.size()));
        const int ordinal = seriesIndexes.isEmpty() ? i : i / int(seriesIndexes.size());
        CatalogueItem item;
        item.kind = QStringLiteral("episode");
        item.title = uniqueTitle(episodeTitle());
        item.seriesTitle = show.title;
        item.season = 1 + ordinal / 10;
        item.episode = 1 + ordinal % 10;
        item.genres = show.genres;
        item.year = std::min(kMaxYear, show.year + item.season - 1);
        item.cast = show.cast.mid(0, 2 + bounded(3));
        if (chance(0.5))
            item.cast += castFrom(1, int(items.size()));
        item.cast.removeDuplicates();
        item.directors.append(directorFrom());
        item.library = QStringLiteral("Shows");
        item.contentRating = show.contentRating;
        add(item);
    }

    QList<int> artistIndexes;
    for (int i = 0; i < artists; ++i) {
        CatalogueItem item;
        item.kind = QStringLiteral("artist");
        item.title = uniqueTitle(artistName(), TitleStyle::Music);
        item.genres = musicGenres();
        item.year = recentYear(1950);
        item.library = QStringLiteral("Music");
        artistIndexes.append(int(items.size()));
        add(item);
    }

    QList<int> albumIndexes;
    for (int i = 0; i < albums; ++i) {
        const CatalogueItem &artist =
            items.at(artistIndexes.isEmpty() ? 0 : artistIndexes.at(bounded(artists)));
        CatalogueItem item;
        item.kind = QStringLiteral("album");
        item.title = uniqueTitle(albumTitle(), TitleStyle::Music);
        item.cast.append(artist.title);
        item.genres = artist.kind == QLatin1String("artist") ? artist.genres : musicGenres();
        item.year = std::max(artist.year, recentYear(1950));
        item.library = QStringLiteral("Music");
        albumIndexes.append(int(items.size()));
        add(item);
    }

    for (int i = 0; i < tracks; ++i) {
        const CatalogueItem &album =
            items.at(albumIndexes.isEmpty() ? 0 : albumIndexes.at(i % albumIndexes.size()));
        const int ordinal = albumIndexes.isEmpty() ? i : i / int(albumIndexes.size());
        CatalogueItem item;
        item.kind = QStringLiteral("track");
        item.title = uniqueTitle(trackTitle(), TitleStyle::Music);
        item.seriesTitle = album.title;
        item.season = 1 + ordinal / 12;
        item.episode = 1 + ordinal % 12;
        item.cast = album.cast;
        item.genres = album.kind == QLatin1String("album") ? album.genres : musicGenres();
        item.year = album.year;
        item.library = QStringLiteral("Music");
        add(item);
    }

    for (int i = 0; i < people; ++i) {
        CatalogueItem item;
        item.kind = QStringLiteral("person");
        item.title = uniqueTitle(pool.at(i), TitleStyle::Person);
        item.year = 1920 + bounded(85);
        const int known = knownFor.at(i);
        const QString role =
            i < poolSize / 4 && chance(0.3) ? QStringLiteral("director") : QStringLiteral("actor");
        add(item);
        items.last().overview =
            QStringLiteral("%1 is an %2 born in %3 in %4.")
                .arg(item.title,
                     role == QLatin1String("actor") ? "actor" : "award-winning director")
                .arg(item.year)
                .arg(pick(w.places)) +
            (known >= 0 ? QStringLiteral(" Known for %1.").arg(items.at(known).title) : QString());
    }
    return items;
}

QJsonObject CatalogueGenerator::toJson(const CatalogueItem &item)
{
    QJsonObject o{{"id", item.id},
                  {"kind", item.kind},
                  {"title", item.title},
                  {"original_title", item.originalTitle},
                  {"overview", item.overview},
                  {"cast", QJsonArray::fromStringList(item.cast)},
                  {"directors", QJsonArray::fromStringList(item.directors)},
                  {"genres", QJsonArray::fromStringList(item.genres)},
                  {"year", item.year},
                  {"library", item.library},
                  {"content_rating", item.contentRating},
                  {"adult", item.adult}};
    if (!item.seriesTitle.isEmpty()) {
        o.insert("series_title", item.seriesTitle);
        o.insert("season", item.season);
        o.insert("episode", item.episode);
    }
    return o;
}

} // namespace Revenge::Bench
