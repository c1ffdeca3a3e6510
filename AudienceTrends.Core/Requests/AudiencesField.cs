using System.Globalization;
using System.Text.Json;

namespace AudienceTrends.Core.Requests;

/// <summary>
/// The request's required <c>audiences</c> array: one to <c>Intake:MaxAudiences</c> names, each a non-blank string
/// named once, kept in request order. Whether the audiences exist is the intake's to ask of the data.
/// </summary>
public static class AudiencesField
{
    public const string Name = "audiences";

    /// <summary>The names, or null when refused; each problem is reported under <c>audiences</c> or <c>audiences[i]</c>.</summary>
    public static List<string>? Read(JsonFields body, int maxAudiences)
    {
        if (!body.TryGet(Name, required: true, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            body.Add(Name, "must be an array of audience names, such as [\"audience1\", \"audience2\"].");
            return null;
        }

        var count = element.GetArrayLength();
        if (count == 0)
        {
            body.Add(Name, "must name at least one audience.");
            return null;
        }

        if (count > maxAudiences)
        {
            // Not checking each name here keeps a huge body from producing a huge error response.
            body.Add(Name, string.Create(CultureInfo.InvariantCulture,
                $"names {count} audiences; at most {maxAudiences} can be exported at once."));
            return null;
        }

        var audiences = new List<string>(count);
        var firstIndexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var path = body.PathOf(string.Create(CultureInfo.InvariantCulture, $"{Name}[{index}]"));
            var audience = item.ValueKind == JsonValueKind.String ? item.GetString()! : null;
            var problem = audience is null ? "must be a string." : FieldRules.Audience(audience);
            if (audience is not null && problem is null && !firstIndexOf.TryAdd(audience, index))
            {
                problem = string.Create(CultureInfo.InvariantCulture,
                    $"duplicates {body.PathOf(Name)}[{firstIndexOf[audience]}]: name each audience once.");
            }

            if (problem is null)
            {
                audiences.Add(audience!);
            }
            else
            {
                body.Errors.Add(path, $"{path} {problem}");
            }

            index++;
        }

        return audiences;
    }
}
