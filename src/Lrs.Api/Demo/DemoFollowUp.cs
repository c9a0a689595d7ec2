using System.Text.Json.Nodes;
using Lrs.Api.Hosting;
using Lrs.Api.Xapi;
using Lrs.Core.Competence;
using Lrs.Core.FollowUp;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;

namespace Lrs.Api.Demo;

/// <summary>
/// The demo's answers to follow-up questions. Eight weeks after a training in patient transfer or Demens ABC the framework's
/// follow-up templates ask whether it has been put to use; most people answer within two weeks, with a score from 1 to 5 and
/// sometimes a few words, and some never do. Patient transfer is put into practice (scores mostly 3 to 5), Demens ABC lags
/// (about half 1 to 3). Everything goes through the statement writer, as the API's answers do.
/// </summary>
internal static class DemoFollowUp
{
    // The share of each score, 1 to 5, by the competence a follow-up template asks about.
    private static readonly Dictionary<string, double[]> Shares = new(StringComparer.Ordinal)
    {
        ["forflyttning"] = [0.04, 0.08, 0.18, 0.38, 0.32],
        ["demens-abc"] = [0.12, 0.22, 0.20, 0.26, 0.20],
    };

    // A few words some give with their score, by competence and by how it went: scores 1–2, 3, 4–5.
    private static readonly Dictionary<string, string[][]> Words = new(StringComparer.Ordinal)
    {
        ["forflyttning"] =
        [
            ["Nej, vi saknar glidlakan och taklyft på min enhet.", "Inte så mycket, jag arbetar mest natt och då är vi för få."],
            ["Ibland, men under tidspress blir det lätt som förut.", "Delvis. Jag använder glidlakan men glömmer att låta brukaren hjälpa till."],
            ["Ja, varje dag. Jag låter brukaren göra det hen kan själv och använder glidlakan.", "Ja, vi planerar förflyttningarna tillsammans i arbetsgruppen nu.",
             "Ja, taklyften används vid alla förflyttningar från sängen och ingen har fått ont i ryggen sedan dess."],
        ],
        ["demens-abc"] =
        [
            ["Nej, det har inte tagits upp i arbetsgruppen efter utbildningen.", "Inte än. Vi har inte hunnit prata om det på APT.",
             "Nej, rutinerna är desamma som förut."],
            ["Delvis. Det är svårt att hinna när vi är få på passet.", "Ibland, när det är lugnt på avdelningen."],
            ["Ja, jag bekräftar känslan i stället för att rätta.", "Ja, vi har lugnare kvällsrutiner och färre ansikten runt brukaren nu."],
        ],
    };

    /// <summary>Answers the follow-up questions asked by now; returns how many were asked and answered, and the statements.</summary>
    public static async Task<(int Asked, int Answered, int Statements)> SeedAsync(LrsStore store, StatementWriter writer, long tenantId, Framework framework,
        DemoTenant demo, DemoMetodrum metodrum, JsonObject authority, DateTimeOffset now, CancellationToken ct)
    {
        var random = new DemoRandom(DemoRandom.Key(demo.Seed, 0, 0, 7));
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");
        var atMetodrum = metodrum.People.Select(p => p.EmployeeId).ToHashSet(StringComparer.Ordinal);
        int asked = 0, answered = 0;
        var built = new List<JsonObject>();
        foreach (var template in framework.ReflectionTemplates)
        {
            if (!template.IsFollowUp || template.Trigger.CompetenceId is not { } competence || !Shares.TryGetValue(competence, out var shares)) continue;
            // In an order of their own, not the store's, so that both stores get the same answers.
            var tasks = (await store.Reflection.ListAllAsync(tenantId, new ReflectionTaskQuery(TemplateId: template.Id, Limit: 500), ct))
                .Where(t => t.Status == ReflectionTaskStatus.Open && t.IsAvailable(now) && t.PersonId is not null)
                .OrderBy(t => t.AvailableFrom).ThenBy(t => t.PersonId, StringComparer.Ordinal).ThenBy(t => t.StatementId).ToList();
            asked += tasks.Count;
            // Follow-up counts the questions of a month at a centre: the scores are given there.
            foreach (var group in tasks.GroupBy(t => (atMetodrum.Contains(t.PersonId!), Month.Of(t.AvailableFrom, zone))))
            {
                // Most answer within two weeks; of the questions of the last three weeks fewer have been answered yet.
                var answering = group.Where(t => random.Chance(t.AvailableFrom < now.AddDays(-21) ? 0.8 : t.AvailableFrom < now.AddDays(-2) ? 0.45 : 0)).ToList();
                var people = answering.Select(t => t.PersonId!).Distinct(StringComparer.Ordinal).ToList();
                var scoreOf = people.Zip(Scores(people.Count, shares, random)).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
                foreach (var task in answering)
                {
                    var score = scoreOf[task.PersonId!];
                    var words = Words[competence][score <= 2 ? 0 : score == 3 ? 1 : 2];
                    var at = task.AvailableFrom.AddHours(random.Between(6, 14 * 24));
                    if (at > now.AddHours(-1)) at = now.AddHours(-1);
                    built.AddRange(ReflectionStatements.Answer(new AnsweredTask(task.Id, template, task.StatementId, task.Training, task.Registration),
                        task.Agent, [new PromptAnswer(template.Prompts[0].Id, random.Chance(0.35) ? random.Pick(words) : null, score)], false, at));
                    answered++;
                }
            }
        }
        return (asked, answered, await DemoReflection.StoreAsync(writer, tenantId, built, authority, ct));
    }

    /// <summary>
    /// Scores for <paramref name="people"/> people in a random order: as many of each as the competence's shares give (rounded
    /// by largest remainders), then each score given by one to four people joined to the nearest score given by others (the
    /// one given by more, when two are as near), since a score of one to four people is suppressed and with it the month's whole.
    /// </summary>
    private static List<int> Scores(int people, double[] shares, DemoRandom random)
    {
        var all = Enumerable.Range(0, shares.Length).ToList();
        var exact = shares.Select(s => s * people / shares.Sum()).ToArray();
        var counts = exact.Select(e => (int)Math.Floor(e)).ToArray();
        foreach (var c in all.OrderByDescending(c => exact[c] - counts[c]).ThenByDescending(c => shares[c]).Take(people - counts.Sum()).ToList()) counts[c]++;
        while (all.Where(c => counts[c] is > 0 and < FollowUpFigures.MinimumPeople).OrderBy(c => counts[c]).ThenBy(c => shares[c]).FirstOrDefault(-1) is var few and >= 0
            && all.Where(c => c != few && counts[c] > 0).OrderBy(c => Math.Abs(c - few)).ThenByDescending(c => counts[c]).FirstOrDefault(-1) is var into and >= 0)
        {
            counts[into] += counts[few];
            counts[few] = 0;
        }
        var scores = all.SelectMany(c => Enumerable.Repeat(ReflectionTemplate.MinScore + c, counts[c])).ToList();
        for (int i = scores.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (scores[i], scores[j]) = (scores[j], scores[i]);
        }
        return scores;
    }
}
