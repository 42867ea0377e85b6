import { DEFAULT_KEYWORD_RANKING, type KeywordRanking } from '../../src/store/sqlite/keyword-index.js';
import { Analyzer, LUCENE_ENGLISH_STOPWORDS } from '../../src/tools/file-search/analyzer.js';

/**
 * One configuration of the keyword pipeline, chosen with `--name=value` flags (defaults = production):
 * --stopwords=lucene|none --stem=porter|none --k1=0.9 --title-weight=0.5 --title-field=title|filename
 */
export interface EvalSettings {
  stopwords: 'lucene' | 'none';
  stem: boolean;
  analyzer: Analyzer;
  ranking: KeywordRanking;
  /** What goes in the title column: the document title, or only a file name as an upload would have. */
  titleField: 'title' | 'filename';
}

export function readEvalSettings(argv: readonly string[]): EvalSettings {
  const flags = new Map<string, string>();
  for (const argument of argv) {
    const match = /^--([a-z0-9-]+)=(.*)$/.exec(argument);
    if (!match) throw new Error(`expected --name=value, got ${argument}`);
    flags.set(match[1] as string, match[2] as string);
  }
  const number = (name: string, fallback: number): number => {
    const value = flags.get(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new Error(`--${name} must be a number`);
    return parsed;
  };
  const stopwords = flags.get('stopwords') === 'none' ? 'none' : 'lucene';
  const stem = flags.get('stem') !== 'none';
  const k1 = number('k1', 1.2 / DEFAULT_KEYWORD_RANKING.bodyWeight);
  return {
    stopwords,
    stem,
    analyzer: new Analyzer({ stopwords: stopwords === 'none' ? new Set() : LUCENE_ENGLISH_STOPWORDS, stem }),
    ranking: { bodyWeight: 1.2 / k1, titleWeight: number('title-weight', DEFAULT_KEYWORD_RANKING.titleWeight) },
    titleField: flags.get('title-field') === 'filename' ? 'filename' : 'title',
  };
}

export function describeSettings(settings: EvalSettings): string {
  const k1 = (1.2 / settings.ranking.bodyWeight).toFixed(2);
  const stem = settings.stem ? 'porter' : 'none';
  const title = `${settings.titleField}×${settings.ranking.titleWeight}`;
  return `stopwords=${settings.stopwords} stem=${stem} k1=${k1} title=${title}`;
}
