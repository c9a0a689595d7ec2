namespace Lrs.Api.Demo;

/// <summary>The verbs the demo tenant's statements use.</summary>
internal enum DemoVerb : byte
{
    Completed, Passed, Failed, Satisfied, Attended, Launched, Initialized, Terminated, Experienced, Progressed,
    Answered, Verified, Joined, Left, Played, Watched,
}

/// <summary>What a demo statement's object is; the topic and the part say which one.</summary>
internal enum DemoObject : byte
{
    Course, Module, Assessment, Session, Performance, Credential, Webinar, Video, LearningBox, LexSarahMeeting,
    WorkplaceMeeting, Question, StatementRef,
}

/// <summary>A competence of the demo framework as the generator plans training for it.</summary>
/// <param name="Id">The competence id in care-framework.json.</param>
/// <param name="Sv">Swedish name.</param>
/// <param name="En">English name.</param>
/// <param name="ValidityMonths">The framework's validity in months; 0 when it never expires.</param>
/// <param name="NeedsSignoff">Whether the framework's rules for it ask for a sign-off.</param>
internal sealed record DemoCompetence(string Id, string Sv, string En, int ValidityMonths, bool NeedsSignoff);

/// <summary>A topic of content that is no competence of its own (webinars, learning boxes).</summary>
internal sealed record DemoTopic(string Id, string Sv, string En);

/// <summary>A reflection prompt and a few answers staff give to it.</summary>
internal sealed record DemoPrompt(string Id, int Competence, bool Group, string Sv, string En, string[] Answers);

/// <summary>
/// The content, verbs and IRIs of the demo tenant. The activity IRIs, verbs and validities mirror the alignment rules
/// of <c>Demo/care-framework.json</c>, so that a statement meant as evidence is evidence under that framework and no
/// other statement is.
/// </summary>
internal static class DemoCatalogue
{
    public const string ActivityBase = "https://demo.lrsapi.se/xapi/activities/";
    public const string MetodikumPath = "learning-centres/metodikum";

    /// <summary>
    /// The learning centre Metodikum as data: the place of the demo's sessions, its e-learning (with its tests) and recorded
    /// webinars, and the program logic its follow-up rests on.
    /// </summary>
    public static Lrs.Core.FollowUp.LearningCentre Metodikum(DateTimeOffset now) => new("metodikum", ActivityBase + MetodikumPath, "Metodikum, Solna",
        ["Förflyttningar som skadar personal och brukare", "Nyanställda utan grundläggande kunskap om demens och hygien"],
        ["Simuleringsrum med taklyft och dockor", "Två undersköterskor som handledare", "Lärlådor", "Webbinarier med inspelning"],
        [], [ActivityBase + "courses/", ActivityBase + "assessments/", ActivityBase + "videos/", ActivityBase + "webinars/"],
        [
            new("fler-utbildade", "short", "Fler medarbetare hos kommunen och privata utförare utbildas", "reach.peopleTrained", null),
            new("kunskap", "short", "Deltagarna klarar förflyttningsövningen och får den bekräftad", "shortTerm.signoffRate", "forflyttning"),
            new("i-praktiken", "medium", "Det som lärts tas upp och används i arbetsgruppen", "mediumTerm.reflectionResponseRate", "forflyttning"),
            new("forflyttning-i-praktiken", "medium", "Förflyttningstekniken används i arbetet åtta veckor efter utbildningen",
                "mediumTerm.followUpScore", "forflyttning"),
            new("demens-i-praktiken", "medium", "Det som lärts i Demens ABC används i bemötandet åtta veckor efter utbildningen",
                "mediumTerm.followUpScore", "demens-abc"),
            new("tackning", "long", "Varje enhet har förflyttningskompetens", "longTerm.coverage", "forflyttning"),
        ], now);
    public const string LearningCentreType = "https://demo.lrsapi.se/xapi/activity-types/learning-centre";
    public const string CredentialType = "https://demo.lrsapi.se/xapi/activity-types/credential";
    public const string AssessorType = "https://demo.lrsapi.se/xapi/relevant-types/assessor";
    public const string WorkplaceTeamType = "https://demo.lrsapi.se/xapi/relevant-types/workplace-team";
    public const string ExpiresExtension = "https://w3id.org/xapi/comp/contextextensions/expires";
    public const string VideoProgressExtension = "https://w3id.org/xapi/video/extensions/progress";
    public const string Cmi5ProgressExtension = "https://w3id.org/xapi/cmi5/result/extensions/progress";

    public const string CourseType = "http://adlnet.gov/expapi/activities/course";
    public const string ModuleType = "http://adlnet.gov/expapi/activities/module";
    public const string AssessmentType = "http://adlnet.gov/expapi/activities/assessment";
    public const string MeetingType = "http://adlnet.gov/expapi/activities/meeting";
    public const string PerformanceType = "http://adlnet.gov/expapi/activities/performance";
    public const string QuestionType = "http://adlnet.gov/expapi/activities/question";
    public const string LessonType = "http://adlnet.gov/expapi/activities/lesson";
    public const string WebinarType = "http://id.tincanapi.com/activitytype/webinar";
    public const string VideoType = "https://w3id.org/xapi/video/activity-type/video";

    /// <summary>Verb IRI, Swedish and English display, by <see cref="DemoVerb"/>.</summary>
    public static readonly (string Id, string Sv, string En)[] Verbs =
    [
        ("http://adlnet.gov/expapi/verbs/completed", "slutförde", "completed"),
        ("http://adlnet.gov/expapi/verbs/passed", "klarade", "passed"),
        ("http://adlnet.gov/expapi/verbs/failed", "klarade inte", "failed"),
        ("https://w3id.org/xapi/adl/verbs/satisfied", "uppfyllde", "satisfied"),
        ("http://adlnet.gov/expapi/verbs/attended", "deltog i", "attended"),
        ("http://adlnet.gov/expapi/verbs/launched", "startade", "launched"),
        ("http://adlnet.gov/expapi/verbs/initialized", "påbörjade", "initialized"),
        ("http://adlnet.gov/expapi/verbs/terminated", "avslutade", "terminated"),
        ("http://adlnet.gov/expapi/verbs/experienced", "tog del av", "experienced"),
        ("http://adlnet.gov/expapi/verbs/progressed", "kom vidare i", "progressed"),
        ("http://adlnet.gov/expapi/verbs/answered", "svarade på", "answered"),
        ("https://w3id.org/xapi/tla/verbs/verified", "bekräftade", "verified"),
        ("http://activitystrea.ms/join", "anslöt till", "joined"),
        ("http://activitystrea.ms/leave", "lämnade", "left"),
        ("https://w3id.org/xapi/video/verbs/played", "spelade upp", "played"),
        ("https://w3id.org/xapi/video/verbs/completed", "såg klart", "completed"),
    ];

    // Competence indexes, in the framework's order.
    public const int Intro = 0, Vardegrund = 1, BasalHygien = 2, Forflyttning = 3, LexSarah = 4, DemensAbc = 5,
        Palliativ = 6, Fallprevention = 7, Nutrition = 8, Hlr = 9, Brandskydd = 10, DelegLakemedel = 11,
        DelegInsulin = 12, SocialDok = 13, UskBevis = 14;

    public static readonly DemoCompetence[] Competences =
    [
        new("intro-vard-omsorg", "Introduktion inom vård och omsorg", "Introduction to health and social care", 0, false),
        new("vardegrund", "Äldreomsorgens nationella värdegrund", "National value base for elderly care", 0, false),
        new("basal-hygien", "Basala hygienrutiner och klädregler", "Basic hygiene routines", 12, false),
        new("forflyttning", "Förflyttningsteknik", "Patient transfer technique", 24, true),
        new("lex-sarah", "Lex Sarah – rapporteringsskyldighet", "Duty to report mistreatment", 12, false),
        new("demens-abc", "Demens ABC", "Dementia ABC", 0, false),
        new("palliativ-vard", "Palliativ vård", "Palliative care", 0, false),
        new("fallprevention", "Fallprevention", "Fall prevention", 0, false),
        new("nutrition", "Förebygga undernäring", "Malnutrition prevention", 0, false),
        new("hlr", "Hjärt-lungräddning", "CPR", 12, false),
        new("brandskydd", "Brandskydd och utrymning", "Fire safety and evacuation", 48, false),
        new("deleg-lakemedel", "Delegering: läkemedelshantering", "Delegation: medication handling", 12, true),
        new("deleg-insulin", "Delegering: insulin", "Delegation: insulin pen", 12, true),
        new("social-dok", "Social dokumentation", "Social-care record keeping", 0, true),
        new("usk-bevis", "Bevis undersköterska", "Protected title: assistant nurse", 0, true),
    ];

    /// <summary>The duty that makes conditional requirements apply, as the framework's roles name it.</summary>
    public const string DelegatedTasks = "delegated-tasks";

    /// <summary>
    /// Each role's requirements, one letter per competence in <see cref="Competences"/> order: R required,
    /// r recommended, C required with <see cref="DelegatedTasks"/>, - none.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> RoleRequirements = new Dictionary<string, string>
    {
        ["omsorgsassistent"] = "RRRRRrrrrrRC-R-",
        ["vardbitrade"] = "RRRRRRrrrrRCCRr",
        ["underskoterska"] = "RRRRRRRRRRRCCRR",
        ["sjukskoterska"] = "rRRrrrRRRRR----",
        ["enhetschef"] = "rRrRRrrrrrR--r-",
        ["verksamhetschef"] = "-R--R--r--R----",
        ["handledare"] = "RRRRRRrrrRRCCRR",
    };

    // Topics that are no competence: webinars and their recordings, and learning boxes.
    public const int FirstWebinarTopic = 15, WebinarTopicCount = 3, FirstBoxTopic = 18, BoxTopicCount = 4;

    public static readonly DemoTopic[] OtherTopics =
    [
        new("munhalsa", "Munhälsa hos äldre", "Oral health in older people"),
        new("psykisk-ohalsa", "Psykisk ohälsa hos äldre", "Mental ill-health in older people"),
        new("valfardsteknik", "Välfärdsteknik i hemtjänsten", "Welfare technology in home care"),
        new("handhygien", "Lärlåda: handhygien", "Learning box: hand hygiene"),
        new("munvard", "Lärlåda: munvård", "Learning box: oral care"),
        new("trycksar", "Lärlåda: trycksår", "Learning box: pressure ulcers"),
        new("forflyttning-i-vardagen", "Lärlåda: förflyttning i vardagen", "Learning box: everyday transfers"),
    ];

    /// <summary>The id and names of a topic: a competence (0–14) or another topic (15 on).</summary>
    public static (string Id, string Sv, string En) Topic(int topic) =>
        topic < Competences.Length
            ? (Competences[topic].Id, Competences[topic].Sv, Competences[topic].En)
            : (OtherTopics[topic - Competences.Length].Id, OtherTopics[topic - Competences.Length].Sv, OtherTopics[topic - Competences.Length].En);

    /// <summary>Competences with an e-learning course of their own.</summary>
    public static readonly int[] CourseTopics = [Intro, Vardegrund, BasalHygien, LexSarah, DemensAbc, Palliativ, Fallprevention, Nutrition, Brandskydd, DelegLakemedel];

    public static readonly DemoPrompt[] Prompts =
    [
        new("handtvatt", BasalHygien, false,
            "Varför är det viktigt att följa hygienrutiner kring handtvätt?",
            "Why is it important to follow the hygiene routines for hand washing?",
            [
                "För att inte föra smitta vidare mellan brukare, och för att skydda mig själv och mina kollegor.",
                "Händerna är den vanligaste smittvägen. Om alla gör likadant varje gång blir det tryggt för de äldre.",
                "Många av våra brukare har nedsatt immunförsvar, så en vanlig förkylning kan bli allvarlig för dem.",
            ]),
        new("samma-handskar", BasalHygien, false,
            "Vad kan hända om du använder samma handskar när du hjälper olika brukare?",
            "What can happen if you wear the same gloves when you help different people?",
            [
                "Bakterier och virus följer med handskarna till nästa brukare, till exempel vinterkräksjuka.",
                "Handskarna skyddar bara om de byts. Annars sprider jag smittan själv utan att märka det.",
            ]),
        new("delaktighet-forflyttning", Forflyttning, false,
            "Varför är det viktigt att vårdtagaren görs delaktig i samband med förflyttningar?",
            "Why is it important that the person cared for takes part in transfers?",
            [
                "Den som får vara med och använda sin egen kraft behåller sin förmåga längre och känner sig tryggare.",
                "Om jag berättar vad vi ska göra blir brukaren inte rädd, och förflyttningen blir säkrare för oss båda.",
                "Det handlar om värdighet. Man ska inte bli lyft som ett paket.",
            ]),
        new("forflyttning-tidspress", Forflyttning, false,
            "Hur kan förflyttningar under tidspress bli en risk?",
            "How can transfers under time pressure become a risk?",
            [
                "Man hoppar över hjälpmedlen och tar tunga lyft själv, då kan både jag och brukaren skadas.",
                "När det är stressigt på morgonen glömmer man att låta brukaren hjälpa till, och då går det sämre.",
            ]),
        new("demens-oro", DemensAbc, true,
            "Beskriv en situation där en person med demenssjukdom blev orolig. Vad kan ha orsakat det, och hur kan vi i arbetsgruppen bemöta det nästa gång?",
            "Describe a situation in which a person with dementia became anxious. What may have caused it, and how can we as a team respond next time?",
            [
                "En brukare blev orolig på eftermiddagen när det var många nya ansikten. Vi kan vara färre i rummet och presentera oss varje gång.",
                "Oron kom när vi stressade vid duschen. Nästa gång tar vi det lugnt och berättar steg för steg.",
                "Hon letade efter sin man. Vi pratade om att bekräfta känslan i stället för att rätta henne.",
            ]),
        new("sjalvbestammande", Vardegrund, true,
            "Hur kan vi i vardagen respektera den äldres självbestämmande och integritet, även när det tar längre tid?",
            "How can we respect an older person's self-determination and integrity in everyday life, even when it takes longer?",
            [
                "Fråga i stället för att bestämma, till exempel vilka kläder eller när man vill äta.",
                "Knacka och vänta på svar innan vi går in, även om vi har nyckel.",
                "Planera besöken så att det finns tid för brukaren att göra själv det den kan.",
            ]),
    ];

    public static readonly string[] FirstNames =
    [
        "Anna", "Maria", "Eva", "Karin", "Kristina", "Lena", "Sara", "Emma", "Elin", "Linnea", "Johanna", "Malin",
        "Sofia", "Hanna", "Ida", "Camilla", "Jenny", "Therese", "Ulla", "Birgitta", "Ingrid", "Marie", "Annika",
        "Helena", "Jessica", "Susanne", "Åsa", "Lotta", "Frida", "Matilda", "Amina", "Fatima", "Leila", "Nadia",
        "Yasmin", "Mariam", "Hawa", "Sahra", "Aisha", "Zeynep", "Elif", "Teresa", "Jelena", "Milica", "Agnieszka",
        "Daniel", "Johan", "Erik", "Anders", "Lars", "Mikael", "Peter", "Magnus", "Fredrik", "Jonas", "Oskar", "Emil",
        "Ahmed", "Mohammed", "Ali", "Hassan", "Omar", "Yusuf", "Samir", "Goran", "Nikola", "Tomas", "Björn", "Per",
        "Sven",
    ];

    public static readonly string[] LastNames =
    [
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
        "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Jönsson", "Lindberg", "Jakobsson",
        "Magnusson", "Olofsson", "Lindström", "Lindqvist", "Lindgren", "Axelsson", "Berg", "Bergström", "Lundberg",
        "Lind", "Lundgren", "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg",
        "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson", "Lundin", "Håkansson", "Björk", "Bergman",
        "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson", "Fransson", "Bergqvist", "Nyström", "Holmberg",
        "Arvidsson", "Löfgren", "Söderberg", "Nyberg", "Blomqvist", "Claesson", "Ali", "Hassan", "Mohammed", "Ahmed",
        "Yilmaz", "Nguyen", "Kovacevic", "Nowak", "Jovanovic", "Abdi", "Mahmoud", "Osman",
    ];

    /// <summary>Trainers at the learning centre Metodikum: name and e-mail.</summary>
    public static readonly (string Name, string Email)[] Trainers =
    [
        ("Ingela Hedström", "ingela.hedstrom@metodikum.solna.example"),
        ("Mats Ekholm", "mats.ekholm@metodikum.solna.example"),
        ("Leila Haddad", "leila.haddad@metodikum.solna.example"),
        ("Tobias Strand", "tobias.strand@metodikum.solna.example"),
        ("Marita Sundin", "marita.sundin@metodikum.solna.example"),
    ];

    /// <summary>Lower-case ASCII for e-mail addresses and ids: Swedish letters folded, anything else a hyphen.</summary>
    public static string Slug(string text)
    {
        var chars = new System.Text.StringBuilder(text.Length);
        foreach (var ch in text.ToLowerInvariant())
        {
            var c = ch switch { 'å' or 'ä' or 'à' or 'á' => 'a', 'ö' or 'ø' => 'o', 'é' or 'è' => 'e', 'ü' => 'u', _ => ch };
            if (char.IsAsciiLetterOrDigit(c)) chars.Append(c);
            else if (chars.Length > 0 && chars[^1] != '-') chars.Append('-');
        }
        return chars.ToString().Trim('-');
    }
}
