namespace Directer.Core.Emphasis;

/// <summary>What to emphasise in a rendered prompt. The chat template records where each piece lands in the rendered
/// text (message content only, never template scaffolding such as headers or default system prompts).</summary>
public sealed record EmphasisRequest
{
    /// <summary>The default opening inline marker.</summary>
    public const string DefaultOpenMarker = "[[";

    /// <summary>The default closing inline marker.</summary>
    public const string DefaultCloseMarker = "]]";

    /// <summary>Strings to emphasise wherever they occur (ordinal match, overlapping occurrences included) in any turn's
    /// rendered content. Each must occur at least once, unless <see cref="IgnoreNotFound"/>.</summary>
    public IReadOnlyList<string> Texts { get; init; } = [];

    /// <summary>Emphasise the whole content of the system turn(s), as rendered.</summary>
    public bool SystemMessage { get; init; }

    /// <summary>Opening marker of inline emphasis in system and user turn contents: <c>"Answer [[in French]]."</c>
    /// renders <c>"Answer in French."</c> and emphasises <c>"in French"</c>. Markers are only parsed in system and
    /// user turns (assistant and tool contents are model and tool output). Set both markers to null to turn inline
    /// emphasis off, e.g. when contents legitimately contain <c>[[</c> (nested JSON or Python lists).</summary>
    public string? InlineOpenMarker { get; init; } = DefaultOpenMarker;

    /// <summary>Closing marker of inline emphasis; see <see cref="InlineOpenMarker"/>.</summary>
    public string? InlineCloseMarker { get; init; } = DefaultCloseMarker;

    /// <summary>Also steer inline markers in user and tool messages (untrusted text); default false.</summary>
    public bool UntrustedInlineMarkers { get; init; }

    /// <summary>Skip emphasis that is not in the rendered prompt instead of throwing <see cref="EmphasisNotFoundException"/>.</summary>
    public bool IgnoreNotFound { get; init; }
}
