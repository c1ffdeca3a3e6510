using System.Diagnostics.CodeAnalysis;

namespace AudienceTrends.Core.Requests;

/// <summary>Either a validated <see cref="ExportRequest"/> or every problem found in the body.</summary>
public sealed class RequestParseResult
{
    private RequestParseResult(ExportRequest? request, RequestErrors errors)
    {
        Request = request;
        Errors = errors;
    }

    public ExportRequest? Request { get; }

    /// <summary>Empty when <see cref="IsValid"/>.</summary>
    public RequestErrors Errors { get; }

    [MemberNotNullWhen(true, nameof(Request))]
    public bool IsValid => Request is not null;

    public static RequestParseResult Valid(ExportRequest request) => new(request, new RequestErrors());

    public static RequestParseResult Invalid(RequestErrors errors) => new(null, errors);
}
