# One image recipe for both services: docker build --build-arg MODULE=api-service|indexer-worker .
# Build the jars first (mvn -DskipTests package); the image only packages them.
# The services are compiled for Java 17, the oldest release they support and the one the test suite
# runs on by default (it passes on 25 as well). They run on Java 25 here: in the indexer benchmark
# a worker spent about a sixth less CPU per agent on 25 than on 17
# (benchmarks/results/indexer-2026-11-27-java17-ab.md against -java25-ab.md).
FROM eclipse-temurin:25-jre
ARG MODULE
RUN useradd --system --uid 10001 app
COPY ${MODULE}/target/${MODULE}.jar /app/app.jar
USER app
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
