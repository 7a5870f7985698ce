/**
 * The storage conformance suite against the SQL adapter on a real PostgreSQL server (the cluster
 * of the global setup, or DATABASE_URL). Each test gets its own table prefix, dropped after it.
 */
import { runAdapterConformance } from '../../lib/testing';
import { postgres } from '../support/sql-adapters';

runAdapterConformance(() => postgres.create(), { label: 'SqlAdapter (PostgreSQL)' });
