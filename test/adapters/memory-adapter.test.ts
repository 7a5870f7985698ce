import { MemoryAdapter } from '../../adapters/memory';
import { runAdapterConformance } from '../../lib/testing';

runAdapterConformance(() => new MemoryAdapter({ purgeIntervalMs: 0 }), { label: 'MemoryAdapter' });
