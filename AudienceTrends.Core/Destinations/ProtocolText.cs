using System.Text.Json;

namespace AudienceTrends.Core.Destinations;

/// <summary>
/// The protocol edge's check of what a delivery sends in command lines and headers (FTP commands, HTTP headers):
/// any string in a destination's settings or credentials, with the intake's rule (<see cref="FieldRules.HasControlCharacters"/>).
/// </summary>
internal static class ProtocolText
{
    public static bool HasControlCharacters(string json)
    {
        using var document = JsonDocument.Parse(json);
        return HasControlCharacters(document.RootElement);
    }

    public static bool HasControlCharacters(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return HasControlCharacters(document.RootElement);
    }

    private static bool HasControlCharacters(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => FieldRules.HasControlCharacters(element.GetString()!),
        JsonValueKind.Object => element.EnumerateObject().Any(p => HasControlCharacters(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Any(HasControlCharacters),
        _ => false,
    };
}
