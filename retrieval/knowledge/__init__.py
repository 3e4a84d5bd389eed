"""Domain knowledge: the gazetteer, the planning vocabulary, the bilingual bridge, figures."""
