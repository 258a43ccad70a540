using System.Runtime.CompilerServices;

// The tests exercise the text utilities (Punkt, Treebank, language detection) directly.
[assembly: InternalsVisibleTo("Directer.Evaluation.Tests")]
