export { argmax, classificationReport, formatReport, type ClassificationReport, type ClassMetrics } from './metrics.js';
