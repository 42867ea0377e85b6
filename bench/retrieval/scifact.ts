import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where the shared IR data lives; `IR_DATA_DIR` overrides it. */
export const IR_DATA_DIR = process.env.IR_DATA_DIR ?? '/work/shared/ir-data';

export interface CorpusDocument {
  id: string;
  title: string;
  text: string;
}

export interface Query {
  id: string;
  text: string;
}

export interface RunEntry {
  docid: string;
  rank: number;
  score: number;
  order: number;
}

/** The part of `eval.mjs` we call: importing it keeps our numbers identical to the shared evaluator. */
export interface Evaluator {
  parseQrels(text: string): Map<string, Map<string, number>>;
  evaluate(
    qrels: Map<string, Map<string, number>>,
    run: Map<string, RunEntry[]>,
    options: { ndcgKs: number[]; recallKs: number[] },
  ): {
    mean: Record<string, number>;
    perQuery: Map<string, Record<string, number>>;
    numQueries: number;
    warnings: string[];
  };
}

export interface SciFact {
  corpus: CorpusDocument[];
  /** Test queries only (the ones in the test qrels). */
  queries: Query[];
  qrels: Map<string, Map<string, number>>;
  evaluator: Evaluator;
}

export async function loadSciFact(directory = IR_DATA_DIR): Promise<SciFact> {
  const evaluator = (await import(pathToFileURL(path.join(directory, 'eval.mjs')).href)) as Evaluator;
  const qrels = evaluator.parseQrels(readFileSync(path.join(directory, 'scifact/qrels/test.tsv'), 'utf8'));
  const corpus = readJsonLines<{ _id: string; title: string; text: string }>(
    path.join(directory, 'scifact/corpus.jsonl'),
  ).map((row) => ({ id: row._id, title: row.title, text: row.text }));
  const queries = readJsonLines<{ _id: string; text: string }>(path.join(directory, 'scifact/queries.jsonl'))
    .filter((row) => qrels.has(row._id))
    .map((row) => ({ id: row._id, text: row.text }));
  return { corpus, queries, qrels, evaluator };
}

function readJsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}
