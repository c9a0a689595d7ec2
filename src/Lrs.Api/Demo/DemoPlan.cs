using Lrs.Core.Competence;
using static Lrs.Api.Demo.DemoCatalogue;

namespace Lrs.Api.Demo;

/// <summary>
/// One statement to be, in compact form; <see cref="DemoStatement.Build"/> turns it into JSON.
/// </summary>
internal struct DemoStep
{
    public long Ticks;
    /// <summary>Position in the person's plan: with the seed and the person, it makes the statement id.</summary>
    public int Seq;
    public DemoVerb Verb;
    public DemoObject Object;
    /// <summary>A competence index, or another topic of <see cref="DemoCatalogue.Topic"/>.</summary>
    public byte Topic;
    /// <summary>Module number, video part, or prompt index.</summary>
    public byte Part;
    /// <summary>result.success: -1 none, 0 false, 1 true.</summary>
    public sbyte Success;
    /// <summary>Raw score of 20, progress in percent, or answer index; -1 none.</summary>
    public short Value;
    public short Minutes;
    /// <summary>Who trains, assesses or signs: -1 no one, a person index, or -2 - trainer index.</summary>
    public int Assessor;
    /// <summary>The step (by <see cref="Seq"/>) a sign-off confirms or a reflection answer refers to; -1 none.</summary>
    public int Target;
    /// <summary>The attempt number behind context.registration; -1 none.</summary>
    public int Attempt;
    /// <summary>Ticks of the explicit expiry of a delegation; 0 none.</summary>
    public long Expires;
    public bool ByMail;
    public bool InTeam;
}

/// <summary>
/// The training record of one person: for each competence the person's roles ask for, a planned status (a fate), and
/// the statements that give it; then everyday activity that is not evidence, up to the number of statements asked for.
/// Deterministic per (seed, person, now): the fates are drawn before anything that depends on the statement count, so
/// the planned statuses are the same for any count.
/// </summary>
internal sealed class DemoPlan
{
    private const int NoOne = -1;
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1), Day = TimeSpan.FromDays(1);

    private readonly DemoTenant _tenant;
    private readonly int _person;
    private readonly DemoRandom _random;
    private readonly bool _hasMail;
    private readonly DateTime _today, _earliest, _latest;
    private readonly List<DemoStep> _steps = new(48);
    private readonly CompetenceStatus?[] _planned = new CompetenceStatus?[Competences.Length];
    private readonly int[] _months = new int[Competences.Length];
    private readonly List<Completion> _completions = [];
    private int _attempts;

    private DemoPlan(DemoTenant tenant, int person)
    {
        _tenant = tenant;
        _person = person;
        _random = new DemoRandom(tenant.PlanSeed(person));
        _hasMail = tenant.People[person].Agents.Count > 1;
        _today = tenant.Now.UtcDateTime.Date;
        // Evidence lies between the third whole day of the window and three days ago, so that what comes before it (a
        // course day, an e-learning session) stays inside the window and what comes after it (a sign-off within two
        // days, a reflection) stays before now.
        _earliest = tenant.Start.UtcDateTime.Date.AddDays(3);
        _latest = _today.AddDays(-3);
    }

    public IReadOnlyList<DemoStep> Steps => _steps;

    public IReadOnlyList<CompetenceStatus?> Planned => _planned;

    public static DemoPlan For(DemoTenant tenant, int person, int statementsPerPerson)
    {
        var plan = new DemoPlan(tenant, person);
        plan.Build(statementsPerPerson);
        return plan;
    }

    private sealed class Completion(int competence, DemoObject obj, long ticks, int seq, int attempt)
    {
        public int Competence { get; } = competence;
        public DemoObject Object { get; } = obj;
        public long Ticks { get; } = ticks;
        public int Seq { get; } = seq;
        public int Attempt { get; } = attempt;
        public bool Wrapped { get; set; }
        public bool Refreshed { get; set; }
        public int PromptsAnswered { get; set; }
    }

    private void Build(int statementsPerPerson)
    {
        int target = (int)Math.Round(statementsPerPerson * (0.8 + 0.4 * _random.NextDouble()));
        var levels = Levels();
        for (int c = 0; c < Competences.Length; c++)
        {
            _months[c] = c is DelegLakemedel or DelegInsulin ? (_random.Chance(0.2) ? 6 : 12) : Competences[c].ValidityMonths;
            if (levels[c] == ' ') continue;
            var fate = Feasible(c, Fate(c, levels[c] == 'R'));
            _planned[c] = fate;
            if (fate == CompetenceStatus.Missing) Traces(c);
            else Evidence(c, fate);
        }
        Everyday(target);
    }

    // 'R' where a role requires the competence (a conditional requirement counts when the person has its duty), 'r'
    // where one only recommends it, ' ' elsewhere.
    private char[] Levels()
    {
        var person = _tenant.People[_person];
        var levels = new char[Competences.Length];
        Array.Fill(levels, ' ');
        foreach (var role in person.Roles)
        {
            if (!RoleRequirements.TryGetValue(role, out var row)) continue;
            for (int c = 0; c < row.Length; c++)
            {
                bool required = row[c] == 'R' || (row[c] == 'C' && person.Duties.Contains(DelegatedTasks));
                if (required) levels[c] = 'R';
                else if (row[c] == 'r' && levels[c] == ' ') levels[c] = 'r';
            }
        }
        return levels;
    }

    private CompetenceStatus Fate(int c, bool required)
    {
        double u = _random.NextDouble();
        // The assistant nurse certificate is a credential, not training: held or not (or not yet confirmed).
        var fate = c == UskBevis
            ? (!required ? (u < 0.85 ? CompetenceStatus.Missing : CompetenceStatus.Valid)
                : u < 0.10 ? CompetenceStatus.Missing : u < 0.17 ? CompetenceStatus.PendingSignoff : CompetenceStatus.Valid)
            : required
                ? (u < 0.06 ? CompetenceStatus.Missing : u < 0.13 ? CompetenceStatus.Expired : u < 0.21 ? CompetenceStatus.Expiring
                    : u < 0.27 ? CompetenceStatus.PendingSignoff : CompetenceStatus.Valid)
                : (u < 0.55 ? CompetenceStatus.Missing : u < 0.60 ? CompetenceStatus.Expired : u < 0.65 ? CompetenceStatus.Expiring
                    : CompetenceStatus.Valid);
        // An insulin delegation rests on the medication delegation; not everyone with delegated tasks gives insulin.
        if (c == DelegInsulin && (_planned[DelegLakemedel] is null or CompetenceStatus.Missing || _random.Chance(0.2)))
            fate = CompetenceStatus.Missing;
        return fate;
    }

    // A fate the window cannot show becomes valid: expiring and expired need a validity short enough to lapse inside
    // the window, pending needs a rule that asks for a sign-off.
    private CompetenceStatus Feasible(int c, CompetenceStatus fate)
    {
        int m = _months[c];
        bool possible = fate switch
        {
            CompetenceStatus.Expiring => m > 0 && _today.AddMonths(-m).AddDays(55) >= _earliest,
            CompetenceStatus.Expired => m > 0 && _today.AddMonths(-m).AddDays(-5) >= _earliest,
            CompetenceStatus.PendingSignoff => Competences[c].NeedsSignoff,
            _ => true,
        };
        return possible ? fate : CompetenceStatus.Valid;
    }

    // When the evidence is achieved, so that at now it has the fate's status with margins of days on every side of the
    // 60-day expiring window (expiry is the achievement plus the validity, the calendar way).
    private DateTime AchievedDay(int c, CompetenceStatus fate)
    {
        int m = _months[c];
        var lapse = m > 0 ? _today.AddMonths(-m) : DateTime.MinValue; // achieved on this day, it would expire today
        return fate switch
        {
            CompetenceStatus.Valid => RandomDay(m > 0 ? Max(_earliest, lapse.AddDays(64)) : _earliest, _latest),
            CompetenceStatus.Expiring => RandomDay(Max(_earliest, lapse.AddDays(5)), lapse.AddDays(55)),
            CompetenceStatus.Expired => RandomDay(_earliest, lapse.AddDays(-5)),
            CompetenceStatus.PendingSignoff => RandomDay(Max(_earliest, _today.AddDays(-40)), _latest),
            _ => throw new ArgumentOutOfRangeException(nameof(fate)),
        };
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private DateTime RandomDay(DateTime first, DateTime last) =>
        last <= first ? first : first.AddDays(_random.Next((int)(last - first).TotalDays + 1));

    private long At(DateTime day, int fromHour, int toHour) => (day + TimeSpan.FromMinutes(_random.Between(fromHour * 60, toHour * 60))).Ticks;

    // ------------------------------------------------------------------ evidence, by competence

    private void Evidence(int c, CompetenceStatus fate)
    {
        long t = At(AchievedDay(c, fate), 9, 15);
        bool signed = fate != CompetenceStatus.PendingSignoff;
        switch (c)
        {
            case Intro or BasalHygien or DemensAbc:
                Test(c, t, withFailures: true);
                break;
            case Vardegrund or Fallprevention or Nutrition:
                Course(c, t);
                break;
            case LexSarah:
                if (_random.Chance(0.5)) Course(c, t); else LexSarahMeeting(t);
                break;
            case Palliativ:
                Palliative(t);
                break;
            case Brandskydd:
                if (_random.Chance(0.6)) Course(c, t);
                else Record(c, DemoObject.Session, t, Add(t, DemoVerb.Attended, DemoObject.Session, c, minutes: 90, assessor: Trainer(), attempt: NewAttempt()));
                break;
            case Forflyttning or Hlr:
                Practical(c, t, signed: c == Forflyttning ? signed : _random.Chance(0.85), record: true);
                break;
            case SocialDok:
                Signed(c, DemoObject.Session, t, signed, Colleague(_tenant.SupervisorsOf) ?? Colleague(_tenant.NursesOf) ?? Trainer(), minutes: (short)_random.Between(120, 240));
                break;
            case UskBevis:
                Signed(c, DemoObject.Credential, t, signed, Colleague(_tenant.ChefsOf) ?? Colleague(_tenant.NursesOf) ?? Trainer(), minutes: 0);
                break;
            case DelegLakemedel or DelegInsulin:
                Delegation(c, t, fate, signed);
                break;
        }
    }

    // Someone who planned no evidence may still have tried: a failed test, never retried.
    private void Traces(int c)
    {
        if (c is Intro or BasalHygien or DemensAbc && _random.Chance(0.3))
        {
            long t = At(RandomDay(_earliest, _latest), 7, 18);
            Add(t, DemoVerb.Failed, DemoObject.Assessment, c, success: 0, value: (short)_random.Between(6, PassMark(c) - 1),
                minutes: (short)_random.Between(10, 25), attempt: NewAttempt());
        }
    }

    private static int PassMark(int c) => c == DemensAbc ? 14 : 16; // of 20; the framework asks 0.8 of intro and hygiene

    private void Test(int c, long t, bool withFailures)
    {
        if (withFailures && _random.Chance(c == BasalHygien ? 0.2 : 0.12))
        {
            int failures = _random.Between(1, 2);
            for (int i = 0; i < failures; i++)
            {
                long f = t - _random.Between(1, 20) * Day.Ticks - _random.Between(0, 120) * Minute.Ticks;
                if (f < _earliest.Ticks) continue;
                Add(f, DemoVerb.Failed, DemoObject.Assessment, c, success: 0, value: (short)_random.Between(8, PassMark(c) - 1),
                    minutes: (short)_random.Between(10, 25), attempt: NewAttempt());
            }
        }
        int attempt = NewAttempt();
        int seq = Add(t, DemoVerb.Passed, DemoObject.Assessment, c, success: 1, value: (short)_random.Between(PassMark(c), 20),
            minutes: (short)_random.Between(10, 25), attempt: attempt);
        Record(c, DemoObject.Assessment, t, seq, attempt);
    }

    private void Course(int c, long t)
    {
        int attempt = NewAttempt();
        Record(c, DemoObject.Course, t, Add(t, DemoVerb.Completed, DemoObject.Course, c, minutes: (short)_random.Between(20, 60), attempt: attempt), attempt);
    }

    // Information about lex Sarah at the unit's staff meeting (APT), led by the manager.
    private void LexSarahMeeting(long t)
    {
        int attempt = NewAttempt();
        int seq = Add(t, DemoVerb.Attended, DemoObject.LexSarahMeeting, LexSarah, minutes: 30,
            assessor: Colleague(_tenant.ChefsOf) ?? NoOne, attempt: attempt, inTeam: true);
        Record(LexSarah, DemoObject.LexSarahMeeting, t, seq, attempt);
    }

    private void Palliative(long t)
    {
        double u = _random.NextDouble();
        int attempt = NewAttempt();
        if (u < 0.35) { Course(Palliativ, t); return; }
        if (u < 0.5)
        {
            Record(Palliativ, DemoObject.Session, t,
                Add(t, DemoVerb.Attended, DemoObject.Session, Palliativ, minutes: 180, assessor: Trainer(), attempt: attempt), attempt);
            return;
        }
        if (u < 0.8)
        {
            Record(Palliativ, DemoObject.Webinar, t,
                Add(t, DemoVerb.Attended, DemoObject.Webinar, Palliativ, minutes: (short)_random.Between(55, 95), assessor: Trainer(), attempt: attempt), attempt);
            return;
        }
        // The recording of the webinar, watched to the end.
        byte part = (byte)_random.Between(1, 3);
        short minutes = (short)_random.Between(25, 45);
        Add(t - minutes * Minute.Ticks, DemoVerb.Played, DemoObject.Video, Palliativ, part: part, value: 0, attempt: attempt);
        Record(Palliativ, DemoObject.Video, t,
            Add(t, DemoVerb.Watched, DemoObject.Video, Palliativ, part: part, minutes: minutes, attempt: attempt), attempt);
    }

    // On-site training at the learning centre: attended, then the practical demonstration passed, then (mostly) the
    // trainer's sign-off. Transfer technique takes two days; CPR an afternoon.
    private void Practical(int c, long t, bool signed, bool record)
    {
        int trainer = Trainer(), attempt = NewAttempt();
        long attended = c == Forflyttning ? At(new DateTime(t, DateTimeKind.Utc).Date.AddDays(-1), 7, 8) : t - 2 * TimeSpan.TicksPerHour;
        Add(attended, DemoVerb.Attended, DemoObject.Session, c, minutes: (short)(c == Forflyttning ? 360 : 120), assessor: trainer, attempt: attempt);
        int passed = Add(t, DemoVerb.Passed, DemoObject.Session, c, success: 1, assessor: trainer, attempt: attempt);
        if (signed) SignOff(c, t, passed, trainer, attempt, expires: 0);
        if (record) Record(c, DemoObject.Session, t, passed, attempt);
    }

    // Evidence that a colleague, nurse or manager confirms: social documentation learnt on site, the assistant nurse
    // certificate shown to the manager.
    private void Signed(int c, DemoObject obj, long t, bool signed, int signer, short minutes)
    {
        int attempt = NewAttempt();
        var verb = obj == DemoObject.Credential ? DemoVerb.Completed : DemoVerb.Attended;
        int seq = Add(t, verb, obj, c, minutes: minutes, assessor: obj == DemoObject.Credential ? NoOne : signer, attempt: attempt);
        if (signed) SignOff(c, t, seq, signer, attempt, expires: 0);
        Record(c, obj, t, seq, attempt);
    }

    // A nurse's delegation: e-learning and a test on medication first (not evidence by themselves), then the practical
    // check, passed with the delegation's end in the expires extension, and the nurse's signature. Delegations are
    // renewed while still valid, so an earlier one often precedes it.
    private void Delegation(int c, long t, CompetenceStatus fate, bool signed)
    {
        int nurse = Colleague(_tenant.NursesOf) ?? Trainer();
        int months = _months[c];
        if (c == DelegLakemedel)
        {
            long course = t - _random.Between(3, 14) * Day.Ticks;
            if (course < _earliest.Ticks) course = t - 3 * TimeSpan.TicksPerHour;
            int courseAttempt = NewAttempt();
            Add(course, DemoVerb.Completed, DemoObject.Course, c, minutes: (short)_random.Between(40, 70), attempt: courseAttempt);
            Add(course + 75 * Minute.Ticks, DemoVerb.Passed, DemoObject.Assessment, c, success: 1, value: (short)_random.Between(16, 20),
                minutes: 15, attempt: courseAttempt);
        }
        if (fate != CompetenceStatus.Expired && _random.Chance(0.6))
        {
            // Renewed while valid (it expires a few days after the new one starts), or, for one awaiting its signature,
            // lapsed a little before.
            var achieved = new DateTime(t, DateTimeKind.Utc);
            var earlier = fate == CompetenceStatus.PendingSignoff
                ? achieved.AddMonths(-months).AddDays(-_random.Between(5, 20))
                : achieved.AddMonths(-months).AddDays(_random.Between(1, 20));
            if (earlier >= _earliest) DelegationCheck(c, earlier.Ticks, months, nurse, signed: true);
        }
        int seq = DelegationCheck(c, t, months, nurse, signed);
        Record(c, DemoObject.Performance, t, seq, _attempts);
    }

    private int DelegationCheck(int c, long t, int months, int nurse, bool signed)
    {
        int attempt = NewAttempt();
        long expires = new DateTime(t, DateTimeKind.Utc).AddMonths(months).Ticks;
        int seq = Add(t, DemoVerb.Passed, DemoObject.Performance, c, success: 1, assessor: nurse, attempt: attempt, expires: expires);
        if (signed) SignOff(c, t, seq, nurse, attempt, expires);
        return seq;
    }

    // Signed in working hours: the same afternoon, or one or two days later.
    private void SignOff(int c, long after, int target, int signer, int attempt, long expires)
    {
        long at = _random.Chance(0.4)
            ? after + _random.Between(30, 150) * Minute.Ticks
            : At(new DateTime(after, DateTimeKind.Utc).Date.AddDays(_random.Between(1, 2)), 7, 15);
        Add(at, DemoVerb.Verified, DemoObject.StatementRef, c, assessor: signer, target: target, attempt: attempt, expires: expires);
    }

    private void Record(int c, DemoObject obj, long t, int seq, int attempt) => _completions.Add(new Completion(c, obj, t, seq, attempt));

    private void Record(int c, DemoObject obj, long t, int seq) => Record(c, obj, t, seq, _attempts);

    // ------------------------------------------------------------------ everyday activity

    // Fills the plan up to the target with what fills real learning records: the e-learning sessions around completions,
    // reflections, staff meetings, webinars and recordings, learning boxes, earlier rounds of recurring training, and
    // courses started and left.
    private void Everyday(int target)
    {
        for (int guard = 0; _steps.Count < target && guard < 4 * target + 16; guard++)
        {
            // A kind with nothing left to do (every completion wrapped, say) adds nothing, and another is drawn.
            _ = _random.Next(13) switch
            {
                < 4 => Wrap(),
                < 6 => Reflect(),
                < 7 => WorkplaceMeeting(),
                < 8 => Webinar(),
                < 9 => Video(),
                < 11 => LearningBox(),
                < 12 => Refresh(),
                _ => AbandonedCourse(),
            };
        }
    }

    private long AnyTime() => At(RandomDay(_earliest.AddDays(-1), _today.AddDays(-1)), 7, 20);

    // The e-learning session around a completed course or a passed test: launched, initialized, modules, terminated,
    // and the course satisfied (evidence too, for the courses whose rules take it) or completed.
    private bool Wrap()
    {
        var completion = _completions.FirstOrDefault(x => !x.Wrapped && x.Object is DemoObject.Course or DemoObject.Assessment);
        if (completion is null) return false;
        completion.Wrapped = true;
        int c = completion.Competence, attempt = completion.Attempt;
        long t = completion.Ticks, launched = t - _random.Between(40, 90) * Minute.Ticks;
        Add(launched, DemoVerb.Launched, DemoObject.Course, c, attempt: attempt);
        Add(launched + Minute.Ticks, DemoVerb.Initialized, DemoObject.Course, c, attempt: attempt);
        int modules = _random.Between(1, 3);
        long gap = (t - launched - 2 * Minute.Ticks) / (modules + 1);
        for (int i = 1; i <= modules; i++)
            Add(launched + 2 * Minute.Ticks + i * gap, DemoVerb.Experienced, DemoObject.Module, c, part: (byte)i,
                minutes: (short)Math.Max(1, gap / Minute.Ticks), attempt: attempt);
        Add(t + 2 * Minute.Ticks, DemoVerb.Terminated, DemoObject.Course, c, minutes: (short)((t - launched) / Minute.Ticks), attempt: attempt);
        if (completion.Object == DemoObject.Assessment)
            Add(t + 3 * Minute.Ticks, c is Intro or BasalHygien ? DemoVerb.Satisfied : DemoVerb.Completed, DemoObject.Course, c, attempt: attempt);
        return true;
    }

    // A reflection answer after hygiene or transfer training, pointing at the training statement.
    private bool Reflect()
    {
        foreach (var completion in _completions)
        {
            for (int p = 0; p < Prompts.Length; p++)
            {
                var prompt = Prompts[p];
                if (prompt.Group || prompt.Competence != completion.Competence || (completion.PromptsAnswered & (1 << p)) != 0) continue;
                completion.PromptsAnswered |= 1 << p;
                long t = _random.Chance(0.5)
                    ? completion.Ticks + _random.Between(10, 120) * Minute.Ticks
                    : At(new DateTime(completion.Ticks, DateTimeKind.Utc).Date.AddDays(_random.Between(1, 2)), 8, 20);
                Add(t, DemoVerb.Answered, DemoObject.Question, prompt.Competence, part: (byte)p,
                    value: (short)_random.Next(prompt.Answers.Length), target: completion.Seq, attempt: completion.Attempt);
                return true;
            }
        }
        return false;
    }

    // Group reflection at the staff meeting (APT): attended, then the person's answer to the group's prompt.
    private bool WorkplaceMeeting()
    {
        long t = At(RandomDay(_earliest, _latest), 13, 14);
        int p = _random.Next(2) == 0 ? Array.FindIndex(Prompts, x => x.Id == "demens-oro") : Array.FindIndex(Prompts, x => x.Id == "sjalvbestammande");
        var prompt = Prompts[p];
        int meeting = Add(t, DemoVerb.Attended, DemoObject.WorkplaceMeeting, prompt.Competence, minutes: 45,
            assessor: Colleague(_tenant.ChefsOf) ?? NoOne, inTeam: true);
        Add(t + 20 * Minute.Ticks, DemoVerb.Answered, DemoObject.Question, prompt.Competence, part: (byte)p,
            value: (short)_random.Next(prompt.Answers.Length), target: meeting, inTeam: true);
        return true;
    }

    private bool Webinar()
    {
        long t = AnyTime();
        int topic = FirstWebinarTopic + _random.Next(WebinarTopicCount), presenter = Trainer(), attempt = NewAttempt();
        short minutes = (short)_random.Between(40, 90);
        Add(t, DemoVerb.Joined, DemoObject.Webinar, topic, assessor: presenter, attempt: attempt);
        Add(t + minutes * Minute.Ticks, DemoVerb.Left, DemoObject.Webinar, topic, assessor: presenter, attempt: attempt);
        Add(t + (minutes + 1) * Minute.Ticks, DemoVerb.Attended, DemoObject.Webinar, topic, minutes: minutes, assessor: presenter, attempt: attempt);
        return true;
    }

    // A recording played; palliative-care recordings are only started here (watching one to the end is evidence).
    private bool Video()
    {
        long t = AnyTime();
        int topic = _random.Chance(0.4) ? Palliativ : FirstWebinarTopic + _random.Next(WebinarTopicCount), attempt = NewAttempt();
        byte part = (byte)_random.Between(1, 3);
        Add(t, DemoVerb.Played, DemoObject.Video, topic, part: part, value: 0, attempt: attempt);
        if (topic != Palliativ && _random.Chance(0.5))
        {
            short minutes = (short)_random.Between(20, 45);
            Add(t + minutes * Minute.Ticks, DemoVerb.Watched, DemoObject.Video, topic, part: part, minutes: minutes, attempt: attempt);
        }
        else Add(t + _random.Between(3, 15) * Minute.Ticks, DemoVerb.Played, DemoObject.Video, topic, part: part,
            value: (short)_random.Between(10, 80), attempt: attempt);
        return true;
    }

    private bool LearningBox()
    {
        Add(AnyTime(), DemoVerb.Experienced, DemoObject.LearningBox, FirstBoxTopic + _random.Next(BoxTopicCount),
            minutes: (short)_random.Between(10, 30));
        return true;
    }

    // The previous round of a recurring training (hygiene, lex Sarah, CPR), a validity earlier: expired, or about to be
    // when the new round was done, so it never decides the status.
    private bool Refresh()
    {
        foreach (var completion in _completions)
        {
            int c = completion.Competence;
            if (completion.Refreshed || _planned[c] is not (CompetenceStatus.Valid or CompetenceStatus.Expiring)
                || _months[c] == 0 || c is DelegLakemedel or DelegInsulin) continue;
            completion.Refreshed = true;
            var earlier = new DateTime(completion.Ticks, DateTimeKind.Utc).AddMonths(-_months[c]).AddDays(_random.Between(-30, 10));
            if (earlier < _earliest) continue;
            long t = earlier.Ticks;
            switch (completion.Object)
            {
                case DemoObject.Assessment: Test(c, t, withFailures: false); break;
                case DemoObject.Course: Course(c, t); break;
                case DemoObject.LexSarahMeeting: LexSarahMeeting(t); break;
                case DemoObject.Session when c is Forflyttning or Hlr: Practical(c, t, signed: true, record: false); break;
                case DemoObject.Session: Add(t, DemoVerb.Attended, DemoObject.Session, c, minutes: 90, assessor: Trainer(), attempt: NewAttempt()); break;
                default: continue;
            }
            // A new completion of a test or course is listed too; it is older and already wrapped-up material.
            return true;
        }
        return false;
    }

    // A course launched and left: a competence still missing, or one no role asks of the person.
    private bool AbandonedCourse()
    {
        var open = CourseTopics.Where(c => _planned[c] is null or CompetenceStatus.Missing).ToArray();
        if (open.Length == 0) return false;
        int c = open[_random.Next(open.Length)], attempt = NewAttempt();
        long t = AnyTime();
        Add(t, DemoVerb.Launched, DemoObject.Course, c, attempt: attempt);
        Add(t + Minute.Ticks, DemoVerb.Initialized, DemoObject.Course, c, attempt: attempt);
        if (_random.Chance(0.6))
            Add(t + _random.Between(5, 25) * Minute.Ticks, DemoVerb.Progressed, DemoObject.Course, c,
                value: (short)_random.Between(10, 70), attempt: attempt);
        return true;
    }

    // ------------------------------------------------------------------ people and steps

    private int NewAttempt() => ++_attempts;

    private int Trainer() => -2 - _random.Next(Trainers.Length);

    // Someone from the person's unit in the given list, never the person; null when there is no one.
    private int? Colleague(int[][] byUnit)
    {
        var list = byUnit[_tenant.UnitOf[_person]];
        int others = list.Count(x => x != _person);
        if (others == 0) return null;
        int pick = _random.Next(others);
        foreach (var x in list)
            if (x != _person && pick-- == 0) return x;
        return null;
    }

    private int Add(long ticks, DemoVerb verb, DemoObject obj, int topic, byte part = 0, sbyte success = -1, short value = -1,
        short minutes = 0, int assessor = NoOne, int target = -1, int attempt = -1, long expires = 0, bool inTeam = false)
    {
        int seq = _steps.Count;
        _steps.Add(new DemoStep
        {
            Ticks = ticks, Seq = seq, Verb = verb, Object = obj, Topic = (byte)topic, Part = part, Success = success,
            Value = value, Minutes = minutes, Assessor = assessor, Target = target, Attempt = attempt, Expires = expires,
            ByMail = _hasMail && _random.Chance(0.3), InTeam = inTeam,
        });
        return seq;
    }
}
