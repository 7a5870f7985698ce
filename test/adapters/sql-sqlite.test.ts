/** The storage conformance suite against the SQL adapter on SQLite (better-sqlite3, in memory). */
import { runAdapterConformance } from '../../lib/testing';
import { sqlite } from '../support/sql-adapters';

runAdapterConformance(() => sqlite.create(), { label: 'SqlAdapter (SQLite)' });
